package dev.broadcasting.server.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.broadcasting.BroadcastException;
import dev.broadcasting.server.BroadcastServer;
import dev.broadcasting.spi.DriverSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The standalone server's configuration file: JSON with the server's settings at the top and one
 * object per app, each key named as its flag ({@link ServerSettingsReader}):
 *
 * <pre>{@code
 * {"port": 6001,
 *  "apps": [{"id": "1", "key": "app-key", "secret": "app-secret",
 *            "allowed-origins": ["https://example.com"], "webhook-url": "https://example.com/hooks",
 *            "max-connections": 1000, "history": [{"channels": "presence-chat", "max-events": 100, "ttl": "2m"}]}]}
 * }</pre>
 *
 * <p>A flag or variable given as well wins over the file's server settings. An unknown key fails
 * the start, naming it and where it is.
 */
public final class ServerConfigFile {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ServerConfigFile() {}

  /** The server and its apps from {@code file}; {@code overrides} are variables that win over the file. */
  public static BroadcastServer.Builder read(Path file, Map<String, String> overrides) {
    JsonNode root = parse(file);
    Map<String, String> server = new HashMap<>();
    List<JsonNode> apps = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> fields = root.fields(); fields.hasNext(); ) {
      Map.Entry<String, JsonNode> field = fields.next();
      if (field.getKey().equals("apps")) {
        if (!field.getValue().isArray() || field.getValue().isEmpty()) {
          throw invalid(file, "\"apps\" must be a non-empty array of apps, e.g. "
              + "[{\"id\": \"1\", \"key\": \"app-key\", \"secret\": \"app-secret\"}]");
        }
        field.getValue().forEach(apps::add);
      } else if (ServerSettingsReader.SERVER_SETTINGS.contains(field.getKey())) {
        server.put(field.getKey(), text(file, field.getKey(), field.getValue()));
      } else {
        throw invalid(file, "unknown key \"" + field.getKey() + "\"; the server's keys are "
            + ServerSettingsReader.SERVER_SETTINGS + " and \"apps\"");
      }
    }
    if (apps.isEmpty()) {
      throw invalid(file, "it has no \"apps\"; add [{\"id\": \"1\", \"key\": \"app-key\", \"secret\": \"app-secret\"}]");
    }
    // A flag or variable wins: read it under its variable name when set, else the file's key.
    Map<String, String> values = new HashMap<>(server);
    values.putAll(overrides);
    BroadcastServer.Builder builder = named(file, () -> ServerSettingsReader.server(DriverSettings.of(values),
        setting -> overrides.containsKey(ServerSettingsReader.variable(setting))
            ? ServerSettingsReader.variable(setting) : setting));
    for (int i = 0; i < apps.size(); i++) {
      String where = "apps[" + i + "]";
      List<HistoryRuleSetting> history = new ArrayList<>();
      Map<String, String> app = appSettings(file, where, apps.get(i), history);
      try {
        builder.app(named(file, () -> ServerSettingsReader.app(DriverSettings.of(app),
            setting -> where + "." + (setting.startsWith("app-") ? setting.substring(4) : setting), history)));
      } catch (BroadcastException e) {
        String message = e.getMessage();
        for (String setting : ServerSettingsReader.APP_SETTINGS) {
          message = message.replaceAll("(?<![-.\\w])" + ServerSettingsReader.builderMethod(setting) + " must",
              java.util.regex.Matcher.quoteReplacement(where + "." + setting + " must"));
        }
        throw new BroadcastException(message, e);
      }
    }
    return builder;
  }

  /** The app's settings as text, keyed {@code apps[i].key}; its {@code history} objects go to {@code history}. */
  private static Map<String, String> appSettings(Path file, String where, JsonNode app,
      List<HistoryRuleSetting> history) {
    if (!app.isObject()) {
      throw invalid(file, where + " must be an object with \"id\", \"key\" and \"secret\"");
    }
    Map<String, String> values = new HashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> fields = app.fields(); fields.hasNext(); ) {
      Map.Entry<String, JsonNode> field = fields.next();
      String key = field.getKey();
      String setting = key.equals("id") || key.equals("key") || key.equals("secret") ? "app-" + key : key;
      if (!ServerSettingsReader.APP_SETTINGS.contains(setting) || key.startsWith("app-")) {
        throw invalid(file, "unknown key \"" + key + "\" in " + where + "; an app's keys are id, key, secret, "
            + String.join(", ", ServerSettingsReader.APP_SETTINGS.subList(3, ServerSettingsReader.APP_SETTINGS.size())));
      }
      if (key.equals("history") && field.getValue().isArray() && hasObject(field.getValue())) {
        history.addAll(historyRules(file, where + ".history", field.getValue()));
      } else {
        values.put(where + "." + key, text(file, where + "." + key, field.getValue()));
      }
    }
    return values;
  }

  /** {@code [{"channels": "presence-chat", "max-events": 100, "ttl": "2m"}, ...]}, each rule named {@code where[j]}. */
  private static List<HistoryRuleSetting> historyRules(Path file, String where, JsonNode rules) {
    List<HistoryRuleSetting> settings = new ArrayList<>();
    for (int j = 0; j < rules.size(); j++) {
      String rule = where + "[" + j + "]";
      if (!rules.get(j).isObject()) {
        throw invalid(file, rule + " must be an object like the others, {\"channels\": \"presence-chat\", "
            + "\"max-events\": 100, \"ttl\": \"2m\"}");
      }
      Map<String, String> parts = new HashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> fields = rules.get(j).fields(); fields.hasNext(); ) {
        Map.Entry<String, JsonNode> field = fields.next();
        if (!List.of("channels", "max-events", "ttl").contains(field.getKey())) {
          throw invalid(file, "unknown key \"" + field.getKey() + "\" in " + rule
              + "; a history rule's keys are channels, max-events and ttl");
        }
        parts.put(field.getKey(), text(file, rule + "." + field.getKey(), field.getValue()));
      }
      settings.add(new HistoryRuleSetting(rule, parts.get("channels"), parts.get("max-events"), parts.get("ttl")));
    }
    return settings;
  }

  private static boolean hasObject(JsonNode array) {
    for (JsonNode item : array) {
      if (item.isObject()) {
        return true;
      }
    }
    return false;
  }

  /** A scalar as its text; an array (origins, webhook URLs, events) as a comma-separated list. */
  private static String text(Path file, String where, JsonNode value) {
    if (value.isArray()) {
      List<String> items = new ArrayList<>();
      value.forEach(item -> items.add(text(file, where, item)));
      return String.join(",", items);
    }
    if (value.isContainerNode() || value.isNull()) {
      throw invalid(file, where + " must be a string, a number, true/false, or an array of them");
    }
    return value.asText();
  }

  private static <T> T named(Path file, java.util.function.Supplier<T> read) {
    try {
      return read.get();
    } catch (BroadcastException e) {
      throw new BroadcastException(e.getMessage().replace("Setting ", "Key ")
          .replace(". Set it in the environment or pass it in the broadcaster's configuration.", "")
          + " (in " + file + ")", e);
    }
  }

  private static JsonNode parse(Path file) {
    JsonNode root;
    try {
      root = JSON.readTree(Files.readString(file));
    } catch (JsonProcessingException e) {
      throw invalid(file, "it is not valid JSON: " + e.getOriginalMessage() + " at line "
          + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr());
    } catch (IOException e) {
      throw new BroadcastException("Cannot read the configuration file " + file + ": " + e, e);
    }
    if (root == null || !root.isObject()) {
      throw invalid(file, "it must hold one JSON object, {\"apps\": [...]}");
    }
    return root;
  }

  private static BroadcastException invalid(Path file, String problem) {
    return new BroadcastException("The configuration file " + file + " is invalid: " + problem);
  }
}
