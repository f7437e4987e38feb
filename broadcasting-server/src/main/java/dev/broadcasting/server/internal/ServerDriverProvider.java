package dev.broadcasting.server.internal;

import dev.broadcasting.BroadcastException;
import dev.broadcasting.pusher.protocol.EncryptionMasterKey;
import dev.broadcasting.server.BroadcastServer;
import dev.broadcasting.spi.BroadcastDriver;
import dev.broadcasting.spi.BroadcastDriverProvider;
import dev.broadcasting.spi.DriverSettings;

/**
 * Registers the {@code server} driver. When a {@link BroadcastServer} in this JVM already serves
 * {@code PUSHER_APP_ID}, the driver publishes into it; otherwise the driver starts one from the
 * settings (see {@link ServerSettingsReader}) and stops it when closed.
 */
public final class ServerDriverProvider implements BroadcastDriverProvider {
  @Override
  public String name() {
    return "server";
  }

  @Override
  public BroadcastDriver create(DriverSettings settings) {
    String appId = settings.require("PUSHER_APP_ID", "the id of the app the server driver publishes to");
    byte[] masterKey = masterKey(settings);
    AppHub running = RunningServers.find(appId);
    if (running != null) {
      return new ServerDriver(running, null, masterKey);
    }
    BroadcastServer server = ServerSettingsReader.read(settings).build().start();
    return new ServerDriver(RunningServers.find(appId), server, masterKey);
  }

  static byte[] masterKey(DriverSettings settings) {
    String base64 = settings.get("PUSHER_ENCRYPTION_MASTER_KEY_BASE64");
    if (base64 == null) {
      return null;
    }
    try {
      return EncryptionMasterKey.fromBase64(base64);
    } catch (IllegalArgumentException e) {
      throw new BroadcastException("Setting PUSHER_ENCRYPTION_MASTER_KEY_BASE64: " + e.getMessage());
    }
  }
}
