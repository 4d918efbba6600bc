package io.catalogsuite.cacheprotocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.instance.impl.HazelcastInstanceProxy;
import com.hazelcast.internal.serialization.impl.compact.Schema;
import com.hazelcast.internal.serialization.impl.SerializationConstants;
import com.hazelcast.map.IMap;
import com.hazelcast.spi.impl.SerializationServiceSupport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The protocol between real members: a data member (as cache-service is) runs the entry processors a lite member
 * (as catalog-service is) sends, every value and processor in Compact form.
 */
class CompactWireTest {
  private static HazelcastInstance data;
  private static HazelcastInstance lite;

  @BeforeAll
  static void start() {
    String cluster = "wire-" + UUID.randomUUID();
    List<Integer> ports = List.of(freePort(), freePort());
    data = Hazelcast.newHazelcastInstance(config(cluster, false, ports.get(0), ports));
    lite = Hazelcast.newHazelcastInstance(config(cluster, true, ports.get(1), ports));
    assertThat(lite.getCluster().getMembers()).hasSize(2);
    // Partitions are assigned on first use, and an entry processor sent by a lite member is no such use: it is
    // retried until it times out. In the suite, Vert.x's own first writes assign them as the cluster forms.
    data.getPartitionService().getPartition(0L).getOwner();
  }

  /**
   * A member on {@code port} that finds the others at {@code ports}, all chosen free now: members of other tests
   * (or other builds) on Hazelcast's default ports cannot take its place or keep it from finding its own.
   */
  private static Config config(String cluster, boolean lite, int port, List<Integer> ports) {
    Config config = new Config().setClusterName(cluster).setLiteMember(lite);
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.getNetworkConfig().setPort(port).setPortAutoIncrement(false).getJoin().getMulticastConfig()
        .setEnabled(false);
    ports.forEach(member -> config.getNetworkConfig().getJoin().getTcpIpConfig().setEnabled(true)
        .addMember("127.0.0.1:" + member));
    config.getNetworkConfig().getInterfaces().setEnabled(true).addInterface("127.0.0.1");
    CacheProtocol.register(config);
    return config;
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @AfterAll
  static void stop() {
    lite.shutdown();
    data.shutdown();
  }

  @Test
  void valuesAndProcessors_travelAsCompact() {
    CachedProduct product = CachedProduct.product(2, "{\"id\":7}".getBytes(StandardCharsets.UTF_8));
    for (Object value : new Object[] {product, CachedProduct.tombstone(), VersionedPut.of(product),
        Invalidation.of(Map.of(7L, 3L), 60, TimeUnit.SECONDS), LoadClaim.forAtMost(2, TimeUnit.SECONDS),
        LoadClaim.release()}) {
      int type = ((SerializationServiceSupport) lite).getSerializationService().toData(value).getType();
      assertThat(type).as(value.getClass().getSimpleName()).isEqualTo(SerializationConstants.TYPE_COMPACT);
    }
  }

  @Test
  void aLookupClaimsFillsAndInvalidates_acrossMembers() {
    IMap<Long, Object> map = lite.getMap("products-" + UUID.randomUUID());
    long id = 7;

    Lookup miss = map.executeOnKey(id, LoadClaim.forAtMost(2, TimeUnit.SECONDS));
    assertThat(miss.outcome()).isEqualTo(Lookup.Outcome.CLAIMED);
    CachedProduct product = CachedProduct.product(2, "{\"id\":7}".getBytes(StandardCharsets.UTF_8));
    assertThat(map.executeOnKey(id, VersionedPut.of(product))).isTrue();

    Lookup hit = map.executeOnKey(id, LoadClaim.forAtMost(2, TimeUnit.SECONDS));
    assertThat(hit.outcome()).isEqualTo(Lookup.Outcome.FOUND);
    assertThat(hit.entry().version()).isEqualTo(2);
    assertThat(new String(hit.entry().body(), StandardCharsets.UTF_8)).isEqualTo("{\"id\":7}");

    Invalidation invalidation = Invalidation.of(Map.of(id, 3L), 60, TimeUnit.SECONDS);
    assertThat(map.executeOnKeys(invalidation.keys(), invalidation)).containsEntry(id, Invalidation.Outcome.INVALIDATED);
    assertThat(((CachedProduct) map.get(id)).kind()).isEqualTo(CachedProduct.Kind.STALE);
  }

  @Test
  void replicateSchemas_leavesEveryTypeKnownToTheOtherMembers() {
    String cluster = "schemas-" + UUID.randomUUID();
    List<Integer> ports = List.of(freePort(), freePort());
    HazelcastInstance holder = Hazelcast.newHazelcastInstance(config(cluster, false, ports.get(0), ports));
    HazelcastInstance sender = Hazelcast.newHazelcastInstance(config(cluster, true, ports.get(1), ports));
    try {
      assertThat(sender.getCluster().getMembers()).hasSize(2);
      CacheProtocol.replicateSchemas(sender);

      assertThat(((HazelcastInstanceProxy) holder).getOriginal().node.getNodeEngine().getSchemaService()
          .getAllSchemas()).extracting(Schema::getTypeName).contains("catalog.CachedProduct", "catalog.Lookup",
              "catalog.VersionedPut", "catalog.Invalidation", "catalog.Invalidation.Outcome", "catalog.LoadClaim",
              "catalog.LoadClaim.Release");
    } finally {
      sender.shutdown();
      holder.shutdown();
    }
  }
}
