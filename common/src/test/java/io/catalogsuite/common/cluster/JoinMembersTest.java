package io.catalogsuite.common.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class JoinMembersTest {

  @Test
  void ipAddressesRangesAndIpv6PassThrough() {
    List<String> members = List.of("127.0.0.1", "10.0.0.2:5702", "192.168.1.0-7", "10.3.*.*", "[::1]:5701");
    assertThat(JoinMembers.resolve(members)).isEqualTo(members);
  }

  @Test
  void hostNamesBecomeTheirIpv4AddressesKeepingThePort() {
    assertThat(JoinMembers.resolve(List.of("localhost"))).containsExactly("127.0.0.1");
    assertThat(JoinMembers.resolve(List.of("localhost:5703"))).containsExactly("127.0.0.1:5703");
  }

  @Test
  void unresolvableNamesAreKeptAndDuplicatesDropped() {
    assertThat(JoinMembers.resolve(List.of("no-such-member.invalid", "127.0.0.1", "localhost")))
        .containsExactly("no-such-member.invalid", "127.0.0.1");
  }
}
