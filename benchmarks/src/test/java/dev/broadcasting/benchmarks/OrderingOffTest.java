package dev.broadcasting.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import org.junit.jupiter.api.Test;

/** The harness finds the option that turns ordering off, in either shape, and calls it the right way. */
class OrderingOffTest {

  @Test
  void findsANoArgumentOptionAndCallsIt() {
    Method option = OrderingOff.find(NoArgument.class).orElseThrow();
    NoArgument builder = new NoArgument();

    assertThat(OrderingOff.apply(option, builder)).isSameAs(builder);
    assertThat(builder.ordered).isFalse();
  }

  @Test
  void findsABooleanOptionAndPassesFalse() {
    Method option = OrderingOff.find(Flag.class).orElseThrow();
    Flag builder = new Flag();

    OrderingOff.apply(option, builder);

    assertThat(builder.ordered).isFalse();
  }

  @Test
  void aBuilderWithoutTheOptionHasNone() {
    assertThat(OrderingOff.find(Unrelated.class)).isEmpty();
  }

  public static final class NoArgument {
    boolean ordered = true;

    public NoArgument unordered() {
      ordered = false;
      return this;
    }
  }

  public static final class Flag {
    boolean ordered = true;

    public Flag ordered(boolean ordered) {
      this.ordered = ordered;
      return this;
    }
  }

  public static final class Unrelated {
    public Unrelated ordered(int window) {
      return this;
    }

    public String unordered() {
      return "";
    }
  }
}
