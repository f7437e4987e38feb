package dev.broadcasting.benchmarks;

/** Payloads of a given size, the same for us and for the peer we are compared with. */
final class Payloads {
  private Payloads() {}

  /** A JSON object of exactly {@code bytes} ASCII characters: {@code {"text":"xxxx..."}}. */
  static String json(int bytes) {
    String open = "{\"text\":\"";
    String close = "\"}";
    int fill = bytes - open.length() - close.length();
    if (fill < 0) {
      throw new IllegalArgumentException("a JSON payload needs at least " + (open.length() + close.length())
          + " bytes, not " + bytes);
    }
    return open + "x".repeat(fill) + close;
  }

  /** {@code text} as a JSON string literal; the payloads here hold quotes and ASCII letters only. */
  static String quote(String text) {
    return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
