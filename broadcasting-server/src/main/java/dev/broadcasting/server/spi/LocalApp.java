package dev.broadcasting.server.spi;

import java.util.List;
import java.util.function.Consumer;

/**
 * One app on this node, as a {@link Backplane} sees it: what it delivers to the node's own sockets
 * and the state it registers again after the cluster was out of reach. Called from the backplane's
 * threads; every method returns quickly.
 */
public interface LocalApp {
  /** Sends {@code frame}, a Pusher protocol message, to this node's subscribers of {@code channel} but one. */
  void deliver(String channel, String frame, String exceptSocketId);

  /**
   * Sends {@code frame} of a history channel, at {@code offset} of stream {@code epoch}, to this
   * node's subscribers of {@code channel} but one; {@code relayed} when it was published on another
   * node. Called in the order of offsets of each channel.
   */
  void deliverKept(String channel, String frame, String exceptSocketId, String epoch, long offset, boolean relayed);

  /** Closes this node's connections signed in as {@code userId}. */
  void terminateUser(String userId);

  /** Announces what the cluster decided without a local cause (a lapsed node's members leaving). */
  void decided(List<Decision> decisions);

  /**
   * Calls {@code registration} with what this node's sockets are subscribed to right now, holding
   * off subscription changes until it returns: whatever it sends to the cluster is ordered before
   * the changes that follow.
   */
  void register(Consumer<LocalState> registration);
}
