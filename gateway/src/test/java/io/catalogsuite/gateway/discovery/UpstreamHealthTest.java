package io.catalogsuite.gateway.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The health rules of one instance, with time passed in: no clock, no sleeping. */
class UpstreamHealthTest {
  // eject after 3 failures, 1 s doubling up to 4 s, panic 50 %, probes: 2 to fail, 2 to pass, slow start 10 s
  static final HealthPolicy POLICY = new HealthPolicy(3, 1_000, 4_000, 50, 100, 2, 2, 10_000);

  static Upstream upstream() {
    return new Upstream("reg", "svc", "svc-1", "node", "127.0.0.1", 9000, 1);
  }

  @Test
  void failed_ejectsOnTheKthInARow() {
    Upstream u = upstream();
    assertThat(u.failed(0, POLICY, true)).isFalse();
    assertThat(u.failed(0, POLICY, true)).isFalse();
    assertThat(u.failed(0, POLICY, true)).isTrue();
    assertThat(u.ejected(999)).isTrue();
    assertThat(u.available(999)).isFalse();
    assertThat(u.state(999, POLICY)).isEqualTo("ejected");
    assertThat(u.ejected(1_000)).isFalse(); // it returns on its own
  }

  @Test
  void succeeded_breaksTheStreak() {
    Upstream u = upstream();
    u.failed(0, POLICY, true);
    u.failed(0, POLICY, true);
    u.succeeded();
    assertThat(u.failed(0, POLICY, true)).isFalse();
  }

  @Test
  void consecutiveEjections_double_upToTheMaximum() {
    Upstream u = upstream();
    long now = 0;
    long[] expected = {1_000, 2_000, 4_000, 4_000};
    for (long length : expected) {
      for (int i = 0; i < 3; i++) {
        u.failed(now, POLICY, true);
      }
      assertThat(u.ejected(now + length - 1)).isTrue();
      assertThat(u.ejected(now + length)).isFalse();
      now += length; // fails again as soon as it is back
    }
  }

  @Test
  void ejection_afterALongGoodStretch_startsFromBase() {
    Upstream u = upstream();
    for (int i = 0; i < 6; i++) {
      u.failed(i < 3 ? 0 : 1_000, POLICY, true); // two ejections: 1 s, then 2 s
    }
    long later = 3_000 + POLICY.ejectMaxMs() + 1;
    for (int i = 0; i < 3; i++) {
      u.failed(later, POLICY, true);
    }
    assertThat(u.ejected(later + 999)).isTrue();
    assertThat(u.ejected(later + 1_000)).isFalse();
  }

  @Test
  void panicThreshold_preventsEjection() {
    Upstream u = upstream();
    for (int i = 0; i < 5; i++) {
      assertThat(u.failed(0, POLICY, false)).isFalse();
    }
    assertThat(u.available(0)).isTrue();
  }

  @Test
  void probes_unhealthyAfterN_healthyAfterM() {
    Upstream u = upstream();
    assertThat(u.probed(false, 0, POLICY)).isFalse();
    assertThat(u.healthy()).isTrue();
    assertThat(u.probed(false, 0, POLICY)).isTrue();
    assertThat(u.healthy()).isFalse();
    assertThat(u.state(0, POLICY)).isEqualTo("unhealthy");
    assertThat(u.probed(true, 0, POLICY)).isFalse();
    assertThat(u.probed(false, 0, POLICY)).isFalse(); // the pass streak starts over
    assertThat(u.probed(true, 0, POLICY)).isFalse();
    assertThat(u.probed(true, 5_000, POLICY)).isTrue();
    assertThat(u.healthy()).isTrue();
  }

  @Test
  void unreachable_isUnhealthyAtOnce() {
    Upstream u = upstream();
    u.unreachable();
    assertThat(u.available(0)).isFalse();
    u.probed(true, 0, POLICY);
    assertThat(u.probed(true, 0, POLICY)).isTrue();
  }

  @Test
  void slowStart_rampsAfterRecovery() {
    Upstream u = upstream();
    assertThat(u.share(15_000, POLICY)).isEqualTo(1.0); // known from the start: no slow start
    u.unreachable();
    u.probed(true, 20_000, POLICY);
    u.probed(true, 20_000, POLICY);
    assertThat(u.share(20_000, POLICY)).isEqualTo(0.1);
    assertThat(u.share(25_000, POLICY)).isEqualTo(0.5);
    assertThat(u.state(25_000, POLICY)).isEqualTo("slow-start");
    assertThat(u.share(30_000, POLICY)).isEqualTo(1.0);
    assertThat(u.state(30_000, POLICY)).isEqualTo("in-rotation");
  }

  @Test
  void slowStart_newInstance() {
    Upstream late = new Upstream("reg", "svc", "svc-2", "node", "127.0.0.1", 9000, 1, 50_000);
    assertThat(late.share(52_000, POLICY)).isEqualTo(0.2);
  }

  @Test
  void ejectionMs_doublesAndCaps() {
    assertThat(POLICY.ejectionMs(1)).isEqualTo(1_000);
    assertThat(POLICY.ejectionMs(2)).isEqualTo(2_000);
    assertThat(POLICY.ejectionMs(3)).isEqualTo(4_000);
    assertThat(POLICY.ejectionMs(30)).isEqualTo(4_000);
  }
}
