package dev.broadcasting;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ChannelTest {

  @Test
  void prefixesFollowTheType() {
    assertThat(new Channel("orders").name()).isEqualTo("orders");
    assertThat(new PrivateChannel("chat.1").name()).isEqualTo("private-chat.1");
    assertThat(new PresenceChannel("room.1").name()).isEqualTo("presence-room.1");
    assertThat(new EncryptedPrivateChannel("chat.1").name()).isEqualTo("private-encrypted-chat.1");
  }

  @Test
  void parsesTheTypeFromTheFullName() {
    assertThat(Channel.of("private-encrypted-x")).isInstanceOf(EncryptedPrivateChannel.class);
    assertThat(Channel.of("private-x")).isExactlyInstanceOf(PrivateChannel.class);
    assertThat(Channel.of("presence-x")).isInstanceOf(PresenceChannel.class);
    assertThat(Channel.of("x")).isExactlyInstanceOf(Channel.class);
    assertThat(Channel.of("private-x").isGuarded()).isTrue();
    assertThat(Channel.of("presence-x").isGuarded()).isTrue();
    assertThat(Channel.of("x").isGuarded()).isFalse();
  }

  @Test
  void equalityIsByFullName() {
    assertThat(new PrivateChannel("a")).isEqualTo(Channel.of("private-a")).hasSameHashCodeAs(Channel.of("private-a"));
    assertThat(new Channel("a")).isNotEqualTo(new PrivateChannel("a"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"a b", "tab\tx", "new\nline", "nbsp\u00a0x", "bell\u0007"})
  void refusesWhitespaceAndControlCharactersNamingTheIndex(String name) {
    assertThatThrownBy(() -> new PrivateChannel(name))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Channel name \"private-")
        .hasMessageContaining("has a space or control character at index ")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n", "\t", "\u0007"));
  }

  /** Laravel apps on redis name channels so; laravel-echo-server and Echo deliver them. */
  @ParameterizedTest
  @ValueSource(strings = {"chat:1", "orders/1", "App.Models.User.1", "ünïcode", "#server-to-user-1", "star*"})
  void acceptsTheNamesLaravelAccepts(String name) {
    assertThat(new Channel(name).name()).isEqualTo(name);
    assertThat(new PrivateChannel(name).name()).isEqualTo("private-" + name);
    assertThat(Channel.of("private-" + name)).isEqualTo(new PrivateChannel(name));
  }

  @Test
  void countsThePrefixInTheLengthLimit() {
    assertThat(new PrivateChannel("a".repeat(200 - 8)).name()).hasSize(200);
    assertThatThrownBy(() -> new PrivateChannel("a".repeat(200 - 7)))
        .hasMessageContaining("is 201 characters long counting its prefix; the most is 200");
  }

  @Test
  void refusesAnEmptyNameAfterThePrefix() {
    assertThatThrownBy(() -> new PresenceChannel("")).hasMessageContaining("\"presence-\" is empty");
    assertThatThrownBy(() -> new Channel("")).isInstanceOf(IllegalArgumentException.class);
  }
}
