package dev.broadcasting.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.broadcasting.ChannelAuthorizer;
import dev.broadcasting.ChannelParameters;
import dev.broadcasting.spring.autoconfigure.BroadcastingAutoConfigurationTest;
import java.security.Principal;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** {@code @BroadcastChannel} beans registered in the authorizer, and the mistakes that stop startup. */
class ChannelCallbacksTest {
  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(BroadcastingAutoConfigurationTest.all());

  static final Principal ANN = () -> "ann";

  enum Tier { GOLD, SILVER }

  static class Channels {
    @BroadcastChannel("teams.{team}.tier.{tier}")
    public boolean team(Principal user, UUID team, Tier tier, ChannelParameters params) {
      return tier == Tier.GOLD && params.get("team").equals(team.toString());
    }

    @BroadcastChannel("inbox.{name}")
    public boolean inbox(String name, Principal user) {
      return user.getName().equals(name);
    }
  }

  @Test
  void bindsTheUserAndConvertsEachPatternParameterToItsType() {
    runner.withBean(Channels.class).run(context -> {
      @SuppressWarnings("unchecked")
      ChannelAuthorizer<Principal> channels = context.getBean(ChannelAuthorizer.class);
      String team = "private-teams.6f1c2a4e-8f7b-4b7e-9a51-3c1d2e4f5a6b.tier.";
      assertThat(channels.decide(team + "GOLD", ANN).allowed()).isTrue();
      assertThat(channels.decide(team + "SILVER", ANN).allowed()).isFalse();
      assertThat(channels.decide(team + "PLATINUM", ANN).allowed()).as("not a Tier").isFalse();
      assertThat(channels.decide("private-teams.not-a-uuid.tier.GOLD", ANN).allowed()).isFalse();
      assertThat(channels.decide("private-inbox.ann", ANN).allowed()).isTrue();
      assertThat(channels.decide("private-inbox.bob", ANN).allowed()).isFalse();
      assertThat(channels.decide("private-inbox.ann", null).allowed()).as("no user").isFalse();
    });
  }

  static class TwoUsers {
    @BroadcastChannel("a.{id}")
    public boolean twice(Principal one, Principal two, long id) {
      return true;
    }
  }

  @Test
  void aCallbackWithTwoUserParametersStopsStartupNamingIt() {
    runner.withBean(TwoUsers.class).run(context -> assertThat(context).hasFailed().getFailure()
        .hasStackTraceContaining("TwoUsers.twice() has two parameters for the user"));
  }

  static class NoAnswer {
    @BroadcastChannel("a")
    public void nothing(Principal user) {}
  }

  @Test
  void aCallbackThatAnswersNothingStopsStartup() {
    runner.withBean(NoAnswer.class).run(context -> assertThat(context).hasFailed().getFailure()
        .hasStackTraceContaining("NoAnswer.nothing() returns nothing"));
  }

  @Configuration(proxyBeanMethods = false)
  static class TwoUserData {
    @Bean
    UserData first() {
      return new UserData();
    }

    @Bean
    UserData second() {
      return new UserData();
    }
  }

  static class UserData {
    @BroadcastUser
    public Object user(Principal user) {
      return java.util.Map.of("id", user.getName());
    }
  }

  @Test
  void twoUserDataMethodsStopStartup() {
    runner.withUserConfiguration(TwoUserData.class).run(context -> assertThat(context).hasFailed().getFailure()
        .hasStackTraceContaining("Two @BroadcastUser methods"));
  }
}
