package dev.broadcasting.server.internal.history;

import java.util.List;

/**
 * What a resubscribing client gets: either every event after its position, in order
 * ({@code recovered}), or none and the reason ({@code notRecoveredReason}); in both cases the
 * stream's epoch and its last offset now, from which the client goes on.
 */
public record Replay(String notRecoveredReason, String epoch, long offset, List<String> events) {
  /** The position the client gave belongs to a stream that was lost (a restart, an evicted channel). */
  public static final String EPOCH_CHANGED = "epoch_changed";
  /** Some events after the client's position are no longer kept (size or time-to-live). */
  public static final String TRIMMED = "trimmed";
  /** The client's offset is past the end of the stream. */
  public static final String INVALID = "invalid_position";
  /**
   * The shared history could not be read (the cluster is out of reach), or more live events came
   * while it was read than a socket may hold.
   */
  public static final String UNAVAILABLE = "unavailable";

  public boolean recovered() {
    return notRecoveredReason == null;
  }
}
