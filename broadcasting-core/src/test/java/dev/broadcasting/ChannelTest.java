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
  @ValueSource(strings = {"a b", "chat/1", "ünïcode", "tab\t", "#server-to-user-1", "quote\"", "star*"})
  void refusesCharactersOutsideTheRuleAndQuotesTheName(String name) {
    assertThatThrownBy(() -> new PrivateChannel(name))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("\"private-" + name + "\"")
        .hasMessageContaining(Channel.RULE);
  }

  @Test
  void acceptsEveryCharacterOfTheRule() {
    String all = "-abcxyzABCXYZ0189_=@,.;";
    assertThat(new Channel(all).name()).isEqualTo(all);
  }

  @Test
  void countsThePrefixInTheLengthLimit() {
    assertThat(new PrivateChannel("a".repeat(200 - 8)).name()).hasSize(200);
    assertThatThrownBy(() -> new PrivateChannel("a".repeat(200 - 7)))
        .hasMessageContaining("at most 200 characters including its prefix (it has 201)");
  }

  @Test
  void refusesAnEmptyNameAfterThePrefix() {
    assertThatThrownBy(() -> new PresenceChannel("")).hasMessageContaining("\"presence-\" is empty");
    assertThatThrownBy(() -> new Channel("")).isInstanceOf(IllegalArgumentException.class);
  }
}
