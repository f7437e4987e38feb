package dev.broadcasting.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.broadcasting.BroadcastException;
import java.io.IOException;
import java.io.Writer;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Writes an event's payload as JSON object text, once, and says which field failed when it cannot.
 *
 * <pre>{@code
 * String json = new PayloadSerializer(PayloadSerializer.defaultMapper()).serialize(Map.of("id", 42), Order.class);
 * }</pre>
 *
 * <p>Each thread keeps one generator and its buffer and writes payload after payload with them, as
 * a generator per payload cost more than the payload itself (the mapper, its serializers and its
 * settings are the same; only the generator is kept). A generator whose payload failed is never
 * used again, and a buffer grown past {@value #KEPT_CHARS} characters is let go after use. A mapper
 * that indents its output gets a new generator per payload, as a kept one would write its root
 * value separator between payloads.
 */
public final class PayloadSerializer {
  /** The largest buffer a thread keeps between payloads. */
  static final int KEPT_CHARS = 16 * 1024;

  private final ObjectMapper mapper;
  /** Null when the mapper indents: every payload then gets its own generator. */
  private final ThreadLocal<Kept> kept;

  public PayloadSerializer(ObjectMapper mapper) {
    this.mapper = mapper;
    this.kept = mapper.isEnabled(SerializationFeature.INDENT_OUTPUT) ? null : new ThreadLocal<>();
  }

  /** One thread's generator, writing into a buffer it empties after each payload. */
  private static final class Kept {
    final Buffer out = new Buffer();
    final JsonGenerator generator;
    /** Writing a payload: a nested one (a getter that broadcasts) gets a generator of its own. */
    boolean busy;

    Kept(ObjectMapper mapper) throws IOException {
      generator = mapper.createGenerator(out);
      generator.setRootValueSeparator(null); // payloads are separate documents, not a stream of values
    }
  }

  /**
   * A writer into a char array that is read and emptied after each payload: no locks (unlike
   * StringWriter), and no per-character copy into a Latin-1 builder (unlike StringBuilder); the
   * string is made from the array at once.
   */
  private static final class Buffer extends Writer {
    private char[] chars = new char[256];
    private int length;

    @Override
    public void write(char[] from, int offset, int count) {
      room(count);
      System.arraycopy(from, offset, chars, length, count);
      length += count;
    }

    @Override
    public void write(String string, int offset, int count) {
      room(count);
      string.getChars(offset, offset + count, chars, length);
      length += count;
    }

    @Override
    public void write(int c) {
      room(1);
      chars[length++] = (char) c;
    }

    private void room(int count) {
      if (length + count > chars.length) {
        chars = Arrays.copyOf(chars, Math.max(chars.length * 2, length + count));
      }
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}

    String take() {
      String result = new String(chars, 0, length);
      length = 0;
      if (chars.length > KEPT_CHARS) {
        chars = new char[256];
      }
      return result;
    }
  }

  /** The mapper used when the application gives none: modules on the classpath (java.time, ...) registered. */
  public static ObjectMapper defaultMapper() {
    return new ObjectMapper()
        .findAndRegisterModules()
        .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
        .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
  }

  public ObjectMapper mapper() {
    return mapper;
  }

  /**
   * @param eventClass named in error messages
   * @throws BroadcastException when the payload does not serialize, or is not a JSON object
   */
  public String serialize(Object payload, Class<?> eventClass) {
    String json;
    try {
      json = write(payload);
    } catch (JsonMappingException e) {
      String field = e.getPath().stream()
          .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
          .collect(Collectors.joining("."));
      throw new BroadcastException("The payload of " + eventClass.getName() + " does not serialize"
          + (field.isEmpty() ? "" : " at field '" + field + "'") + ": " + e.getOriginalMessage()
          + ". Make that field serializable by Jackson, mark it @JsonIgnore, or override broadcastWith().", e);
    } catch (JsonProcessingException e) {
      throw new BroadcastException("The payload of " + eventClass.getName() + " does not serialize: "
          + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new BroadcastException("The payload of " + eventClass.getName() + " does not serialize: " + e, e);
    }
    if (json.isEmpty() || json.charAt(0) != '{') {
      String kind = payload == null ? "null" : payload.getClass().getName();
      throw new BroadcastException("The payload of " + eventClass.getName()
          + " must serialize to a JSON object, but broadcastWith() returned " + kind + " (" + abbreviate(json)
          + "). Return a record, a POJO or a Map.");
    }
    return json;
  }

  private String write(Object payload) throws IOException {
    if (kept == null) {
      return mapper.writeValueAsString(payload);
    }
    Kept mine = kept.get();
    if (mine == null) {
      mine = new Kept(mapper);
      kept.set(mine);
    } else if (mine.busy) {
      return mapper.writeValueAsString(payload); // a payload's getter broadcast in turn: not into the same generator
    }
    boolean written = false;
    mine.busy = true;
    try {
      mapper.writeValue(mine.generator, payload);
      mine.generator.flush();
      written = true;
      return mine.out.take();
    } finally {
      mine.busy = false;
      if (!written) {
        kept.remove(); // a generator left in the middle of a value is not used again
      }
    }
  }

  private static String abbreviate(String json) {
    return json.length() <= 40 ? json : json.substring(0, 40) + "...";
  }
}
