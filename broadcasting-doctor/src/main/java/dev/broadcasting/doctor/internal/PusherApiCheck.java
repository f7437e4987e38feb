package dev.broadcasting.doctor.internal;

import dev.broadcasting.BroadcastException;
import dev.broadcasting.doctor.Check;
import dev.broadcasting.doctor.Finding;
import dev.broadcasting.pusher.PusherBroadcastDriver;
import dev.broadcasting.pusher.PusherChannel;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Sends a signed {@code GET /apps/{id}/channels} through the application's own pusher driver: the
 * API answers, and accepts the app id, key and secret.
 */
public final class PusherApiCheck implements Check {
  private final Map<String, String> settings;
  private final Duration timeout;

  public PusherApiCheck(Map<String, String> pusherSettings, Duration timeout) {
    this.settings = pusherSettings;
    this.timeout = timeout;
  }

  @Override
  public Finding run() {
    Endpoint api = Endpoint.of("Pusher HTTP API", PusherApi.baseUrl(settings), "PUSHER_HOST/PUSHER_PORT");
    String appId = settings.get("PUSHER_APP_ID");
    String name = "driver pusher " + api.address() + " (signed GET /apps/" + appId + "/channels)";
    PusherBroadcastDriver driver;
    try {
      driver = PusherApi.driver(settings);
    } catch (BroadcastException e) {
      return Finding.fail(name, "the pusher settings are refused: " + e.getMessage(), "correct the setting named");
    }
    try {
      List<PusherChannel> channels = driver.channels(null, false).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return Finding.ok(name, "200, credentials accepted, " + channels.size() + " occupied channels");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Finding.fail(name, "interrupted", "run the doctor again");
    } catch (Exception e) {
      Throwable cause = Failures.unwrap(e);
      if (cause instanceof BroadcastException && ((BroadcastException) cause).httpStatus() > 0) {
        return refused((BroadcastException) cause, name, appId);
      }
      return Finding.fail(name, Failures.describe(e, api, timeout.toMillis()), Failures.fix(e, api));
    } finally {
      driver.close();
    }
  }

  private static Finding refused(BroadcastException e, String name, String appId) {
    int status = e.httpStatus();
    String saw = e.getMessage();
    if (status == 401 || status == 403) {
      return Finding.fail(name, saw, "the API refuses the signature: set PUSHER_APP_KEY and PUSHER_APP_SECRET to the "
          + "app's credentials (Pusher dashboard > App Keys, or the server's app configuration), and sync this clock");
    }
    if (status == 404 || status == 400) {
      return Finding.fail(name, saw, "no app " + appId + " there: set PUSHER_APP_ID to the app's id");
    }
    return Finding.fail(name, saw, "the API failed; retry, and check its status page or log");
  }
}
