package dev.broadcasting.redis.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class AnswerQueueTest {
  private final Object lock = new Object();

  @Test
  void takesInTheOrderAddedAcrossSeveralHandfulsAndCountsWhatWaits() {
    AnswerQueue<Integer> queue = new AnswerQueue<>(lock, 5_000);
    List<Integer> taken = new ArrayList<>();
    for (int batch = 0; batch < 3; batch++) {
      synchronized (lock) {
        for (int i = 0; i < 1_500; i++) {
          queue.add(batch * 1_500 + i);
        }
      }
      for (int i = 0; i < 700; i++) {
        taken.add(queue.take());
      }
    }
    synchronized (lock) {
      assertThat(queue.size()).isEqualTo(3 * 1_500 - 3 * 700);
      assertThat(queue.remainingCapacity()).isEqualTo(5_000 - 2_400);
    }
    for (Integer next; (next = queue.take()) != null; ) {
      taken.add(next);
    }
    assertThat(taken).containsExactlyElementsOf(IntStream.range(0, 4_500).boxed().toList());
    synchronized (lock) {
      assertThat(queue.size()).isZero();
    }
  }

  @Test
  void drainGivesWhatIsLeftInTheReadersHandAndWhatWaitsOldestFirst() {
    AnswerQueue<Integer> queue = new AnswerQueue<>(lock, 5_000);
    synchronized (lock) {
      IntStream.range(0, 10).forEach(queue::add);
    }
    assertThat(queue.take()).isZero(); // the reader's hand now holds 1..9
    assertThat(queue.peek()).isEqualTo(1);
    synchronized (lock) {
      IntStream.range(10, 13).forEach(queue::add);
      assertThat(queue.drain()).containsExactlyElementsOf(IntStream.range(1, 13).boxed().toList());
    }
  }
}
