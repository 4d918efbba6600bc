package io.catalogsuite.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.catalogsuite.common.cluster.ClusterTls;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SuitePlanTest {
  private final Deployment deployment = new Deployment("suite-test-secret", "gateway-secret-of-32-characters!",
      "suite-dev:0123456789abcdef:admin|write", new ClusterTls(Path.of("/suite/cluster.p12"), "keystore-password"));
  private final List<InstanceSpec> plan = SuitePlan.instances(2, 3, 8080, deployment,
      "postgresql://postgres@localhost:5432/catalog", Path.of("/suite/data"));

  @Test
  void instances_inStartOrder_withTheirIds() {
    assertThat(plan).extracting(InstanceSpec::name)
        .containsExactly("cache-1", "cache-2", "catalog-1", "catalog-2", "catalog-3", "gateway-1");
    assertThat(plan).allSatisfy(spec -> assertThat(spec.env()).containsEntry("INSTANCE_ID", spec.name()));
  }

  @Test
  void eachCacheInstance_keepsItsMapDefinitionsInItsOwnFile() {
    assertThat(plan.get(0).env()).containsEntry("CACHE_DEFINITIONS_FILE", "/suite/data/cache-1/cache-maps.json");
    assertThat(plan.get(1).env()).containsEntry("CACHE_DEFINITIONS_FILE", "/suite/data/cache-2/cache-maps.json");
    assertThat(plan.subList(2, plan.size())).allSatisfy(spec ->
        assertThat(spec.env()).doesNotContainKey("CACHE_DEFINITIONS_FILE"));
  }

  @Test
  void everyMember_inOneLoopbackCluster_thatListsThemAll() {
    String members = plan.get(0).env().get("CLUSTER_MEMBERS");
    assertThat(members.split(",")).hasSize(6).allMatch(member -> member.startsWith("127.0.0.1:"));
    assertThat(plan).allSatisfy(spec -> {
      assertThat(spec.env()).containsEntry("CLUSTER_NAME", "suite-test-secret")
          .containsEntry("GATEWAY_SECRET", "gateway-secret-of-32-characters!")
          .containsEntry("CLUSTER_HOST", "127.0.0.1")
          .containsEntry("CLUSTER_MEMBERS", members)
          .containsEntry("HTTP_HOST", "127.0.0.1");
      assertThat(members).contains("127.0.0.1:" + spec.env().get("CLUSTER_PORT"));
    });
  }

  @Test
  void ports_distinct_andTheGatewayGetsItsOwn() {
    Set<String> ports = new HashSet<>();
    plan.forEach(spec -> {
      assertThat(spec.env()).containsEntry("HTTP_PORT", Integer.toString(spec.httpPort()));
      ports.add(spec.env().get("HTTP_PORT"));
      ports.add(spec.env().get("CLUSTER_PORT"));
    });
    assertThat(ports).hasSize(12);
    assertThat(plan.get(5).httpPort()).isEqualTo(8080);
  }

  @Test
  void onlyCatalog_getsTheDatabase() {
    assertThat(plan).allSatisfy(spec -> assertThat(spec.env().containsKey("PG_URL"))
        .isEqualTo(spec.service() == ServiceKind.CATALOG));
  }

  @Test
  void onlyTheGateway_getsTheApiKeys() {
    assertThat(plan).allSatisfy(spec -> assertThat(spec.env().get("GATEWAY_API_KEYS"))
        .isEqualTo(spec.service() == ServiceKind.GATEWAY ? "suite-dev:0123456789abcdef:admin|write" : null));
  }

  @Test
  void everyMember_getsTheEventBusKeystore() {
    assertThat(plan).allSatisfy(spec -> assertThat(spec.env())
        .containsEntry("CLUSTER_KEYSTORE", "/suite/cluster.p12")
        .containsEntry("CLUSTER_KEYSTORE_PASSWORD", "keystore-password"));
  }

  @Test
  void theDeployment_printsNoSecret() {
    assertThat(deployment.toString())
        .doesNotContain("secret-of", "0123456789abcdef", "suite-test", "keystore-password");
  }

  @Test
  void waves_firstMemberAlone_thenOneServiceAtATime() {
    assertThat(Fleet.waves(plan)).extracting(wave -> wave.stream().map(InstanceSpec::name).toList())
        .containsExactly(
            List.of("cache-1"),
            List.of("cache-2"),
            List.of("catalog-1", "catalog-2", "catalog-3"),
            List.of("gateway-1"));
  }
}
