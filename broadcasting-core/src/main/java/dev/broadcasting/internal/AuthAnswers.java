package dev.broadcasting.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;

/** The JSON body of a signed channel auth answer, shared by the drivers whose protocols sign one. */
public final class AuthAnswers {
  private static final JsonFactory JSON = new JsonFactory();

  private AuthAnswers() {}

  /**
   * {@code {"auth":"<auth>"}}, plus one more string field when {@code field} is not null
   * ({@code channel_data}, {@code shared_secret}, {@code user_data}). Values are JSON-escaped, so
   * {@code channel_data} reaches the client as the exact string that was signed.
   */
  public static String auth(String auth, String field, String value) {
    StringWriter out = new StringWriter(96 + (value == null ? 0 : value.length()));
    try (JsonGenerator json = JSON.createGenerator(out)) {
      json.writeStartObject();
      json.writeStringField("auth", auth);
      if (field != null) {
        json.writeStringField(field, value);
      }
      json.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }
}
