package io.catalogsuite.common.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.catalogsuite.common.config.ConfigException;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class GatewayIdentityTest {
  private static final String SECRET = "0123456789abcdef0123456789abcdef";
  private final AtomicLong clock = new AtomicLong(1_800_000_000L);
  private final GatewayIdentity gateway = new GatewayIdentity(SECRET, clock::get);
  private final GatewayIdentity instance = new GatewayIdentity(SECRET, clock::get);

  @Test
  void signature_verifiedWithTheSameSecret_withinTheSkew() {
    String signature = gateway.signature();
    assertThat(signature).startsWith("t=1800000000;s=").doesNotContain(SECRET);
    assertThat(instance.verify(signature)).isTrue();
    clock.addAndGet(GatewayIdentity.MAX_SKEW_SECONDS);
    assertThat(instance.verify(signature)).isTrue();
    clock.incrementAndGet();
    assertThat(instance.verify(signature)).isFalse(); // too old: a recorded signature does not last
    assertThat(instance.verify(gateway.signature())).isTrue(); // a new second, a new signature
  }

  @Test
  void forgedOrMalformed_refused() {
    String signature = gateway.signature();
    GatewayIdentity other = new GatewayIdentity("another-secret-of-32-characters!", clock::get);
    assertThat(other.verify(signature)).isFalse();
    String forgedTime = signature.replace("t=1800000000", "t=1800000001");
    assertThat(instance.verify(forgedTime)).isFalse();
    for (String malformed : new String[] {null, "", "t=", "t=abc;s=x", "s=x;t=1", "t=1800000000", signature + "x"}) {
      assertThat(instance.verify(malformed)).as(String.valueOf(malformed)).isFalse();
    }
  }

  @Test
  void shortSecret_isAConfigurationError() {
    assertThatThrownBy(() -> new GatewayIdentity("too-short", clock::get)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("GATEWAY_SECRET").hasMessageNotContaining("too-short");
  }
}
