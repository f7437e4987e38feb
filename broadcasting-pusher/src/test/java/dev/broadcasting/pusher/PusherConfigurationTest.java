package dev.broadcasting.pusher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.broadcasting.BroadcastException;
import dev.broadcasting.Channel;
import dev.broadcasting.internal.DriverRegistry;
import dev.broadcasting.spi.BroadcastDriver;
import dev.broadcasting.spi.BroadcastMessage;
import dev.broadcasting.spi.DriverSettings;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The builder's checks and the {@code pusher} provider's reading of Laravel's PUSHER_* variables. */
class PusherConfigurationTest {
  private static final String MASTER_KEY = "zyrm8pvV2C9fJcBfhyXzvxbJVN/H7QLmbe0xJi1GhPU=";

  @Test
  void defaultsToTheMt1ClusterOverTls() {
    try (PusherBroadcastDriver driver = minimal().build()) {
      assertThat(driver.toString()).contains("url=https://api-mt1.pusher.com/");
    }
    try (PusherBroadcastDriver driver = minimal().cluster("eu").build()) {
      assertThat(driver.toString()).contains("url=https://api-eu.pusher.com/");
    }
  }

  @Test
  void aHostTakesPrecedenceOverTheCluster() {
    try (PusherBroadcastDriver driver = minimal().cluster("eu").host("soketi.internal").port(6001).useTls(false).build()) {
      assertThat(driver.toString()).contains("url=http://soketi.internal:6001/");
    }
    try (PusherBroadcastDriver driver = minimal().host("reverb.example").build()) {
      assertThat(driver.toString()).contains("url=https://reverb.example/");
    }
  }

  @Test
  void takesContainerNamesAndIpAddressesAsHostsAndPutsAnIpv6AddressInBrackets() {
    try (PusherBroadcastDriver driver = minimal().host("broadcasting_server").port(6001).scheme("http").build()) {
      assertThat(driver.toString()).contains("url=http://broadcasting_server:6001/");
    }
    try (PusherBroadcastDriver driver = minimal().host("::1").port(6001).scheme("http").build()) {
      assertThat(driver.toString()).contains("url=http://[::1]:6001/");
    }
    try (PusherBroadcastDriver driver = minimal().host("10.0.0.7").port(80).scheme("http").build()) {
      assertThat(driver.toString()).contains("url=http://10.0.0.7/");
    }
    assertThatThrownBy(() -> minimal().host("soketi internal")).hasMessageContaining("\"soketi internal\" is not a valid host name");
    assertThatThrownBy(() -> minimal().host("soketi:6001")).hasMessageContaining("\"soketi:6001\"");
  }

  @Test
  void namesTheWrongValue() {
    assertThatThrownBy(() -> minimal().host("http://soketi:6001")).hasMessageContaining("\"http://soketi:6001\"")
        .hasMessageContaining("host name only");
    assertThatThrownBy(() -> minimal().port(70000)).hasMessageContaining("70000");
    assertThatThrownBy(() -> minimal().scheme("wss")).hasMessageContaining("\"wss\"");
    assertThatThrownBy(() -> minimal().cluster("EU 1")).hasMessageContaining("\"EU 1\"");
    assertThatThrownBy(() -> minimal().appId("my app")).hasMessageContaining("\"my app\"");
    assertThatThrownBy(() -> minimal().connectTimeout(Duration.ZERO)).hasMessageContaining("connectTimeout");
    assertThatThrownBy(() -> minimal().payloadLimit(0)).hasMessageContaining("payload limit");
    assertThatThrownBy(() -> PusherBroadcastDriver.builder().appId("1").build())
        .hasMessageContaining("key (PUSHER_APP_KEY)").hasMessageContaining("secret (PUSHER_APP_SECRET)");
  }

  @Test
  void checksTheMasterKeyWithoutRepeatingIt() {
    String short16 = "AAAAAAAAAAAAAAAAAAAAAA==";
    assertThatThrownBy(() -> minimal().encryptionMasterKeyBase64(short16))
        .hasMessageContaining("must be 32 bytes but has 16")
        .hasMessageNotContaining(short16);
    assertThatThrownBy(() -> minimal().encryptionMasterKeyBase64("not base64!"))
        .hasMessageContaining("not valid base64").hasMessageNotContaining("not base64!");
  }

  @Test
  void theProviderIsFoundByNameAndReadsTheLaravelVariables() throws Exception {
    assertThat(DriverRegistry.providers()).containsKey("pusher");
    try (PusherPeer peer = new PusherPeer()) {
      Map<String, String> env = new HashMap<>();
      env.put("PUSHER_APP_ID", peer.appId);
      env.put("PUSHER_APP_KEY", peer.key);
      env.put("PUSHER_APP_SECRET", peer.secret);
      env.put("PUSHER_APP_CLUSTER", "eu");
      env.put("PUSHER_HOST", "127.0.0.1");
      env.put("PUSHER_PORT", Integer.toString(peer.server.getPort()));
      env.put("PUSHER_SCHEME", "http");
      env.put("PUSHER_ENCRYPTION_MASTER_KEY_BASE64", MASTER_KEY);
      env.put("PUSHER_CALL_TIMEOUT", "5s");
      env.put("PUSHER_PAYLOAD_LIMIT", "20000");

      try (BroadcastDriver driver = DriverRegistry.create("pusher", DriverSettings.of(env))) {
        assertThat(driver).isInstanceOf(PusherBroadcastDriver.class);
        assertThat(driver.toString()).contains("url=http://127.0.0.1:" + peer.server.getPort())
            .contains("encrypted=true").doesNotContain(peer.secret).doesNotContain(MASTER_KEY);
        String payload = "{\"t\":\"" + "x".repeat(15_000) + "\"}";
        driver.publish(BroadcastMessage.of("E", List.of(new Channel("a")), payload)).get(10, TimeUnit.SECONDS);
        assertThat(peer.takeSigned().path()).isEqualTo("/apps/3/events");
      }
    }
  }

  @Test
  void theProviderNamesAMissingOrWrongSetting() {
    Map<String, String> env = new HashMap<>(Map.of("PUSHER_APP_ID", "1", "PUSHER_APP_KEY", "k"));
    assertThatThrownBy(() -> DriverRegistry.create("pusher", DriverSettings.of(env)))
        .isInstanceOf(BroadcastException.class).hasMessageContaining("PUSHER_APP_SECRET");
    env.put("PUSHER_APP_SECRET", "s3cr3t-value");
    env.put("PUSHER_SCHEME", "ftp");
    assertThatThrownBy(() -> DriverRegistry.create("pusher", DriverSettings.of(env)))
        .isInstanceOf(BroadcastException.class).hasMessageContaining("PUSHER_SCHEME").hasMessageContaining("\"ftp\"")
        .hasMessageNotContaining("s3cr3t-value");
    env.put("PUSHER_SCHEME", "https");
    env.put("PUSHER_PORT", "eighty");
    assertThatThrownBy(() -> DriverRegistry.create("pusher", DriverSettings.of(env)))
        .hasMessageContaining("PUSHER_PORT").hasMessageContaining("eighty");
    env.remove("PUSHER_PORT");
    env.put("PUSHER_ENCRYPTION_MASTER_KEY_BASE64", "c2hvcnQ=");
    assertThatThrownBy(() -> DriverRegistry.create("pusher", DriverSettings.of(env)))
        .hasMessageContaining("PUSHER_ENCRYPTION_MASTER_KEY_BASE64").hasMessageContaining("32 bytes but has 5")
        .hasMessageNotContaining("c2hvcnQ=");
  }

  private static PusherBroadcastDriver.Builder minimal() {
    return PusherBroadcastDriver.builder().appId("1").key("key").secret("secret");
  }
}
