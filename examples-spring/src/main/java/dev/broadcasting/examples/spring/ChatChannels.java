package dev.broadcasting.examples.spring;

import dev.broadcasting.PresenceMember;
import dev.broadcasting.examples.chat.ChatUser;
import dev.broadcasting.spring.BroadcastChannel;
import java.util.Map;
import org.springframework.stereotype.Component;

/** routes/channels.php, as a bean: the user is the principal Spring Security holds for the session. */
@Component
public class ChatChannels {

  /** private-user.{id}: only its own user. */
  @BroadcastChannel("user.{id}")
  public boolean user(ChatUser user, long id) {
    return user.id() == id;
  }

  /** presence-chat: everyone logged in, shown to the others with their id and name. */
  @BroadcastChannel("chat")
  public PresenceMember room(ChatUser user) {
    return PresenceMember.of(user.id(), Map.of("id", user.id(), "name", user.name()));
  }
}
