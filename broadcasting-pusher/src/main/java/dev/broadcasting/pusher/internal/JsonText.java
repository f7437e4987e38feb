package dev.broadcasting.pusher.internal;

/**
 * An exactly sized UTF-8 JSON text built in two passes: first the size of every piece is added up,
 * then the pieces are written into one array of that size. The request bodies are mostly the
 * events' data as JSON strings (a payload escaped into a string), so this is the per-event cost
 * of a body; written this way it allocates one array per request and nothing per piece.
 *
 * <pre>{@code
 * JsonText text = new JsonText(JsonText.length("{\"a\":") + JsonText.stringLength(value) + 1);
 * byte[] json = text.raw("{\"a\":").string(value).raw("}").bytes();
 * }</pre>
 *
 * <p>Strings are escaped as JSON requires and as Jackson writes them: {@code "} and {@code \},
 * {@code \b \t \n \f \r}, other control characters as {@code \}{@code u00XX}, every UTF-16 surrogate
 * (the halves of an emoji, or a lone one) as a {@code \}{@code uXXXX} escape; everything else as UTF-8.
 */
final class JsonText {
  private static final byte[] HEX = "0123456789ABCDEF".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  /** For each ASCII character: 0 written as it is, a letter for its short escape, or 'u' for {@code \}{@code u00XX}. */
  private static final byte[] ESCAPES = new byte[128];

  static {
    for (int c = 0; c < 0x20; c++) {
      ESCAPES[c] = 'u';
    }
    ESCAPES['\b'] = 'b';
    ESCAPES['\t'] = 't';
    ESCAPES['\n'] = 'n';
    ESCAPES['\f'] = 'f';
    ESCAPES['\r'] = 'r';
    ESCAPES['"'] = '"';
    ESCAPES['\\'] = '\\';
  }

  private final byte[] out;
  private int at;

  JsonText(int length) {
    out = new byte[length];
  }

  /** The bytes of ASCII text written as it is, such as {@code {"batch":[}. */
  static int length(String ascii) {
    return ascii.length();
  }

  /** The bytes of {@code value} as a quoted, escaped JSON string in UTF-8. */
  static int stringLength(String value) {
    int length = 2;
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x80) {
        byte escape = ESCAPES[c];
        length += escape == 0 ? 1 : escape == 'u' ? 6 : 2;
      } else if (c < 0x800) {
        length += 2;
      } else if (Character.isSurrogate(c)) {
        length += 6;
      } else {
        length += 3;
      }
    }
    return length;
  }

  /** Writes ASCII text as it is. */
  JsonText raw(String ascii) {
    for (int i = 0; i < ascii.length(); i++) {
      out[at++] = (byte) ascii.charAt(i);
    }
    return this;
  }

  /** Writes {@code value} as a quoted, escaped JSON string. */
  JsonText string(String value) {
    out[at++] = '"';
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x80) {
        byte escape = ESCAPES[c];
        if (escape == 0) {
          out[at++] = (byte) c;
        } else if (escape == 'u') {
          unicodeEscape(c);
        } else {
          out[at++] = '\\';
          out[at++] = escape;
        }
      } else if (c < 0x800) {
        out[at++] = (byte) (0xC0 | c >> 6);
        out[at++] = (byte) (0x80 | c & 0x3F);
      } else if (Character.isSurrogate(c)) {
        unicodeEscape(c);
      } else {
        out[at++] = (byte) (0xE0 | c >> 12);
        out[at++] = (byte) (0x80 | c >> 6 & 0x3F);
        out[at++] = (byte) (0x80 | c & 0x3F);
      }
    }
    out[at++] = '"';
    return this;
  }

  /** The text, which must fill the size given exactly: a mismatch is a bug in the sizing pass. */
  byte[] bytes() {
    if (at != out.length) {
      throw new IllegalStateException("JSON text sized " + out.length + " bytes but " + at + " were written");
    }
    return out;
  }

  private void unicodeEscape(char c) {
    out[at++] = '\\';
    out[at++] = 'u';
    out[at++] = HEX[c >> 12 & 0xF];
    out[at++] = HEX[c >> 8 & 0xF];
    out[at++] = HEX[c >> 4 & 0xF];
    out[at++] = HEX[c & 0xF];
  }
}
