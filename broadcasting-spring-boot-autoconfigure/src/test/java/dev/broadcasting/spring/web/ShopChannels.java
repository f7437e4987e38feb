package dev.broadcasting.spring.web;

import dev.broadcasting.PresenceMember;
import dev.broadcasting.spring.BroadcastChannel;
import dev.broadcasting.spring.BroadcastUser;
import java.security.Principal;
import java.util.Map;
import org.springframework.security.core.userdetails.UserDetails;

/** Channel callbacks as an application writes them: the channels.php of the tests. */
public class ShopChannels {

  /** The vectors' channel: private-foobar and presence-foobar, for alice only. */
  @BroadcastChannel("foobar")
  public Object foobar(Principal user) {
    return "alice".equals(user.getName()) ? PresenceMember.of(10, Map.of("name", "Mr. Pusher")) : null;
  }

  @BroadcastChannel("orders.{id}")
  public boolean order(UserDetails user, long id) {
    return id == 42 && "alice".equals(user.getUsername());
  }

  /** Laravel's style: the user info, with the user's name as the member id. */
  @BroadcastChannel("rooms.{room}")
  public Map<String, Object> room(Principal user, String room) {
    return "lobby".equals(room) ? Map.of("name", user.getName().toUpperCase()) : null;
  }

  @BroadcastUser
  public Map<String, Object> user(UserDetails user) {
    return Map.of("id", "alice".equals(user.getUsername()) ? "12345" : user.getUsername());
  }
}
