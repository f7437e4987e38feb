package dev.broadcasting.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.broadcasting.Channel;
import dev.broadcasting.RetryPolicy;
import dev.broadcasting.spi.BroadcastMessage;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A channel's jobs and the prefix of them launched in turn, through growth, failures and removals. */
class LaneTest {
  private static Job job(int n) {
    return new Job(null, List.of(BroadcastMessage.of("E", List.of(new Channel("c")), "{\"n\":" + n + "}")), List.of(),
        RetryPolicy.none(), 0);
  }

  @Test
  void jobsKeepTheirOrderPastTheRingsGrowthAndThePrefixFollowsLaunchesAndRemovals() {
    Lane lane = new Lane("c");
    List<Job> jobs = new ArrayList<>();
    for (int n = 0; n < 11; n++) {
      jobs.add(job(n));
    }
    for (int n = 0; n < 4; n++) {
      lane.add(jobs.get(n)); // the ring's first size
    }
    lane.remove(jobs.get(0)); // the head leaves before any launch
    for (int n = 4; n < 11; n++) {
      lane.add(jobs.get(n)); // job 4 wraps round to the freed slot, job 5 grows a ring that wraps
    }
    assertThat(lane.size()).isEqualTo(10);
    for (int i = 0; i < 10; i++) {
      assertThat(lane.get(i)).isSameAs(jobs.get(i + 1));
    }
    assertThat(lane.get(10)).isNull();

    lane.launchedNext();
    lane.launchedNext();
    lane.launchedNext(); // jobs 1, 2, 3 in flight
    assertThat(lane.launched()).isEqualTo(3);
    assertThat(lane.get(lane.launched())).as("the one that may go next").isSameAs(jobs.get(4));

    lane.remove(jobs.get(2)); // answered out of turn: the prefix shrinks with it, job 4 is still next
    assertThat(lane.launched()).isEqualTo(2);
    assertThat(lane.get(lane.launched())).isSameAs(jobs.get(4));

    lane.relaunchLater(jobs.get(3)); // failed, waits for its retry: it is next again, before 4
    assertThat(lane.launched()).isEqualTo(1);
    assertThat(lane.get(lane.launched())).isSameAs(jobs.get(3));
    lane.relaunchLater(jobs.get(6)); // beyond the prefix: nothing changes
    assertThat(lane.launched()).isEqualTo(1);

    lane.remove(jobs.get(5)); // never launched: the prefix stays
    assertThat(lane.launched()).isEqualTo(1);
    lane.remove(jobs.get(1));
    assertThat(lane.launched()).isZero();
    assertThat(lane.get(0)).isSameAs(jobs.get(3));
    assertThat(lane.size()).isEqualTo(7);
  }
}
