package dev.broadcasting.pusher.internal;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.broadcasting.BroadcastException;
import org.junit.jupiter.api.Test;

class ChannelEncrypterTest {

  /** lazysodium and JNA are optional: an application that sets a master key without them is told what to add. */
  @Test
  void aMissingLazySodiumIsNamedWithTheArtifactsToAdd() {
    ClassLoader withoutLibraries = new ClassLoader(null) {};
    assertThatThrownBy(() -> ChannelEncrypter.requireLazySodium(withoutLibraries))
        .isInstanceOf(BroadcastException.class)
        .hasMessageContaining("com.goterl.lazysodium.LazySodiumJava is not on the class path")
        .hasMessageContaining("com.goterl:lazysodium-java:5.1.4 and net.java.dev.jna:jna:5.17.0");
    assertThatCode(() -> ChannelEncrypter.requireLazySodium(ChannelEncrypter.class.getClassLoader()))
        .doesNotThrowAnyException();
  }
}
