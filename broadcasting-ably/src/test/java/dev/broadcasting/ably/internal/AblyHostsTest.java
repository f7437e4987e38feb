package dev.broadcasting.ably.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The primary and fallback domains of Ably's client library spec, REC1 and REC2. */
class AblyHostsTest {

  @Test
  void defaultsAreTheCurrentSpecsDomains() {
    AblyHosts hosts = AblyHosts.defaults();
    assertThat(hosts.primary()).isEqualTo("main.realtime.ably.net");
    assertThat(hosts.fallbacks()).containsExactly(
        "main.a.fallback.ably-realtime.com", "main.b.fallback.ably-realtime.com", "main.c.fallback.ably-realtime.com",
        "main.d.fallback.ably-realtime.com", "main.e.fallback.ably-realtime.com");
  }

  @Test
  void routingPolicyEndpointsKeepTheirFallbacks() {
    AblyHosts acme = AblyHosts.endpoint("acme");
    assertThat(acme.primary()).isEqualTo("acme.realtime.ably.net");
    assertThat(acme.fallbacks()).hasSize(5).first().isEqualTo("acme.a.fallback.ably-realtime.com");
    AblyHosts sandbox = AblyHosts.endpoint("nonprod:sandbox");
    assertThat(sandbox.primary()).isEqualTo("sandbox.realtime.ably-nonprod.net");
    assertThat(sandbox.fallbacks()).hasSize(5).last().isEqualTo("sandbox.e.fallback.ably-realtime-nonprod.com");
  }

  @Test
  void hostnamesHaveNoFallbacks() {
    for (String hostname : List.of("ably.example.com", "localhost", "::1")) {
      AblyHosts hosts = AblyHosts.endpoint(hostname);
      assertThat(hosts.primary()).isEqualTo(hostname);
      assertThat(hosts.fallbacks()).isEmpty();
      assertThat(hosts.plan(3)).containsExactly(hostname);
    }
    assertThat(AblyHosts.host("proxy").fallbacks()).isEmpty();
  }

  @Test
  void planStartsWithThePrimaryAndTakesAtMostTheRetryCountOfFallbacks() {
    List<String> plan = AblyHosts.defaults().plan(3);
    assertThat(plan).hasSize(4).doesNotHaveDuplicates();
    assertThat(plan.get(0)).isEqualTo("main.realtime.ably.net");
    assertThat(plan.subList(1, 4)).isSubsetOf(AblyHosts.defaults().fallbacks());
    assertThat(AblyHosts.defaults().plan(9)).hasSize(6);
    assertThat(AblyHosts.defaults().plan(0)).containsExactly("main.realtime.ably.net");
  }

  @Test
  void explicitFallbacksReplaceTheImpliedOnes() {
    assertThat(AblyHosts.host("a.example").withFallbacks(List.of("b.example")).plan(3))
        .containsExactly("a.example", "b.example");
  }
}
