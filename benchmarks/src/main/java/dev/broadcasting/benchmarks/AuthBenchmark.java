package dev.broadcasting.benchmarks;

import com.pusher.rest.Pusher;
import com.pusher.rest.data.PresenceUser;
import dev.broadcasting.AuthResponse;
import dev.broadcasting.ChannelAuthorizer;
import dev.broadcasting.PresenceMember;
import dev.broadcasting.pusher.protocol.PusherAuthSigner;
import dev.broadcasting.pusher.protocol.PusherSigner;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Channel authorization answers per second on one thread (goal: at least 300,000 private answers a
 * second): the whole {@link ChannelAuthorizer#authorize} call (input checks, pattern match, the
 * callback, the signature) with the pusher driver's {@link PusherAuthSigner}, next to the signature
 * alone and to the official pusher-http-java client's {@code authenticate}, which only signs.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class AuthBenchmark {
  static final String APP_ID = "1";
  static final String KEY = "278d425bdf160c739803";
  static final String SECRET = "7ad3773142a6692b25b8";
  private static final String SOCKET_ID = "1234.1234";

  /** The user of the session, as an application would pass it. */
  public record User(long id, String name) {}

  private final User user = new User(42, "Ada");
  private ChannelAuthorizer<User> authorizer;
  private PusherAuthSigner signer;
  private Pusher official;
  private PresenceUser officialMember;

  @Setup
  public void setUp() {
    signer = new PusherAuthSigner(new PusherSigner(KEY, SECRET));
    authorizer = ChannelAuthorizer.<User>create(signer)
        .channel("chat.{userId}", (user, params) -> user.id() == params.getLong("userId"))
        .presence("room.{roomId}", (user, params) -> PresenceMember.of(user.id(), Map.of("name", user.name())));
    official = new Pusher(APP_ID, KEY, SECRET);
    officialMember = new PresenceUser(42L, Map.of("name", "Ada"));
  }

  @TearDown
  public void tearDown() throws Exception {
    official.close();
  }

  @Benchmark
  public AuthResponse authorizePrivate() {
    return authorizer.authorize(SOCKET_ID, "private-chat.42", user);
  }

  @Benchmark
  public AuthResponse authorizePresence() {
    return authorizer.authorize(SOCKET_ID, "presence-room.7", user);
  }

  /** The signature alone, for the share of authorizePrivate that is not signing. */
  @Benchmark
  public String signPrivate() {
    return signer.signPrivate(SOCKET_ID, "private-chat.42");
  }

  @Benchmark
  public String officialAuthenticatePrivate() {
    return official.authenticate(SOCKET_ID, "private-chat.42");
  }

  /** The official client serializes the member with Gson, as authorizePresence does with Jackson. */
  @Benchmark
  public String officialAuthenticatePresence() {
    return official.authenticate(SOCKET_ID, "presence-room.7", officialMember);
  }
}
