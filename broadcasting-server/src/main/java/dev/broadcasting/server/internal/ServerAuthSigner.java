package dev.broadcasting.server.internal;

import dev.broadcasting.spi.ChannelAuthSigner;

/**
 * The in-process connection's signer: Pusher's, plus the refusals of the app's auth endpoint told
 * to the server's {@link ServerEvents}, so that the dashboard logs a 403 the browser got from the
 * app, which the server itself never sees.
 *
 * <pre>{@code
 * ChannelAuthorizer<User> auth = ChannelAuthorizer.create(new ServerAuthSigner(hub, pusherSigner));
 * }</pre>
 */
final class ServerAuthSigner implements ChannelAuthSigner {
  private final AppHub hub;
  private final ChannelAuthSigner pusher;

  ServerAuthSigner(AppHub hub, ChannelAuthSigner pusher) {
    this.hub = hub;
    this.pusher = pusher;
  }

  @Override
  public void refused(String socketId, String channelName, int status, String reason) {
    hub.events().refused(socketId, channelName, status, "auth endpoint: " + reason);
  }

  @Override
  public boolean requiresSocketId() {
    return pusher.requiresSocketId();
  }

  @Override
  public String channelNameError(String channelName) {
    return pusher.channelNameError(channelName);
  }

  @Override
  public String refusal(String channelName) {
    return pusher.refusal(channelName);
  }

  @Override
  public String signPrivate(String socketId, String channelName) {
    return pusher.signPrivate(socketId, channelName);
  }

  @Override
  public String signPresence(String socketId, String channelName, String channelData) {
    return pusher.signPresence(socketId, channelName, channelData);
  }

  @Override
  public String signUser(String socketId, String userData) {
    return pusher.signUser(socketId, userData);
  }

  @Override
  public String toString() {
    return "ServerAuthSigner{app=" + hub.app().id() + "}";
  }
}
