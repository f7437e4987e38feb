package dev.broadcasting.examples.spring;

import dev.broadcasting.Broadcaster;
import dev.broadcasting.examples.chat.ChatUser;
import dev.broadcasting.examples.chat.Mentioned;
import dev.broadcasting.examples.chat.MessagePosted;
import dev.broadcasting.server.BroadcastServer;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.http.ResponseEntity;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.context.SecurityContextRepository;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/**
 * The page's JSON routes, as in the plain demo: who is logged in, log in by name, log out (Spring
 * Security's own logout), post a message. The login puts a {@link ChatUser} in Spring Security's
 * context, which {@code /broadcasting/auth} then hands to the channel callbacks.
 */
@RestController
public class ChatController {
  private static final int MAX_MESSAGE_CHARS = 500;
  private static final Pattern MENTION = Pattern.compile("@([\\p{L}\\p{N}_-]{1,24})");

  private final Broadcaster broadcaster;
  private final ChatUsers users;
  private final SecurityContextRepository contexts;
  private final Map<String, Object> pusherOptions;
  private final AtomicLong messageIds = new AtomicLong();

  public ChatController(Broadcaster broadcaster, ChatUsers users, SecurityContextRepository contexts,
      BroadcastServer server) {
    this.broadcaster = broadcaster;
    this.users = users;
    this.contexts = contexts;
    this.pusherOptions = Map.of("key", server.apps().iterator().next().key(), "wsPort", server.port());
  }

  @GetMapping("/session")
  public Map<String, Object> session(Authentication authentication) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("user", user(authentication));
    body.put("pusher", pusherOptions);
    return body;
  }

  @PostMapping("/login")
  public Map<String, Object> logIn(@RequestBody Map<String, String> body, HttpServletRequest request,
      HttpServletResponse response) {
    ChatUser user = users.named(body.get("name"));
    SecurityContext context = SecurityContextHolder.createEmptyContext();
    context.setAuthentication(UsernamePasswordAuthenticationToken.authenticated(user, null,
        List.of(new SimpleGrantedAuthority("ROLE_CHAT"))));
    SecurityContextHolder.setContext(context);
    if (request.getSession(false) != null) {
      request.changeSessionId();
    }
    contexts.saveContext(context, request, response);
    return Map.of("user", user);
  }

  @PostMapping("/messages")
  public ResponseEntity<Map<String, Object>> post(Authentication authentication, @RequestBody Map<String, String> body,
      @RequestHeader(name = "X-Socket-ID", required = false) String socketId) {
    ChatUser user = user(authentication);
    if (user == null) {
      return ResponseEntity.status(401).body(Map.of("error", "log in first"));
    }
    String text = body.getOrDefault("text", "").strip();
    if (text.isEmpty() || text.length() > MAX_MESSAGE_CHARS) {
      return ResponseEntity.badRequest().body(Map.of("error", "text must be 1 to " + MAX_MESSAGE_CHARS + " characters"));
    }
    MessagePosted message = new MessagePosted(messageIds.incrementAndGet(), user, text, Instant.now().toString());
    // the posting tab shows its message from this answer; toOthers() keeps the broadcast from echoing it back
    if (socketId != null && !socketId.isBlank()) {
      broadcaster.toOthers(socketId).broadcast(message);
    } else {
      broadcaster.broadcast(message);
    }
    for (ChatUser mentioned : mentions(text)) {
      broadcaster.broadcast(new Mentioned(mentioned.id(), user.name(), text));
    }
    return ResponseEntity.status(201).body(Map.of("message", message));
  }

  @ExceptionHandler(IllegalArgumentException.class)
  public ResponseEntity<Map<String, String>> badRequest(IllegalArgumentException e) {
    return ResponseEntity.badRequest().body(Map.of("error", e.getMessage()));
  }

  private Set<ChatUser> mentions(String text) {
    Set<ChatUser> mentioned = new LinkedHashSet<>();
    Matcher matcher = MENTION.matcher(text);
    while (matcher.find()) {
      ChatUser user = users.find(matcher.group(1));
      if (user != null) {
        mentioned.add(user);
      }
    }
    return mentioned;
  }

  private static ChatUser user(Authentication authentication) {
    return authentication != null && authentication.getPrincipal() instanceof ChatUser user ? user : null;
  }
}
