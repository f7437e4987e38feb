package dev.broadcasting.pusher.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class PusherChannelNamesTest {
  private static final String OUTSIDE = "has characters outside [-a-zA-Z0-9_=@,.;], the alphabet of Pusher channel names";

  @Test
  void everyCharacterIsJudgedAsTheDocumentedAlphabetSays() {
    Pattern alphabet = Pattern.compile(PusherChannelNames.ALPHABET);
    int accepted = 0;
    for (char c = '!'; c < 0x3000; c++) {
      if (Character.isWhitespace(c) || Character.isISOControl(c) || Character.isSpaceChar(c)) {
        continue; // refused by the base rule, with its own reason
      }
      String name = "chat" + c + "1";
      boolean expected = alphabet.matcher(String.valueOf(c)).matches();
      assertThat(PusherChannelNames.error(name)).as("channel name %s", name).isEqualTo(expected ? null : OUTSIDE);
      accepted += expected ? 1 : 0;
    }
    assertThat(accepted).isEqualTo(26 + 26 + 10 + 7);
  }

  @Test
  void serverToUserChannelsTakeAnIdInTheAlphabet() {
    assertThat(PusherChannelNames.error("#server-to-user-42")).isNull();
    assertThat(PusherChannelNames.error("#server-to-user-")).isEqualTo(OUTSIDE);
    assertThat(PusherChannelNames.error("#server-to-user-a#b")).isEqualTo(OUTSIDE);
    assertThat(PusherChannelNames.error("#chat")).isEqualTo(OUTSIDE);
  }

  @Test
  void theBaseRuleComesFirst() {
    assertThat(PusherChannelNames.error("")).isEqualTo("is missing");
    assertThat(PusherChannelNames.error("chat 1")).startsWith("has a space or control character at index 4");
  }
}
