package io.catalogsuite.common.discovery;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import io.catalogsuite.common.cluster.ClusterNode;
import io.vertx.servicediscovery.Record;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which discovery records a gateway may route to: those published by a current cluster member for itself.
 *
 * <p>Discovery records live in a Hazelcast map, and anything that can talk to the cluster can write that map, a
 * Hazelcast client included, which is no member. A record is taken only when its {@code node-id} is that of a
 * current member and its host is the one that member serves HTTP on ({@link ClusterNode#httpHost}, the same rule
 * a node publishes by). Member attributes are fixed when the member joins, so a forged record can name no host
 * but a member's own.
 */
public final class RecordOrigins {
  private static final Logger log = LoggerFactory.getLogger(RecordOrigins.class);

  private final HazelcastInstance hazelcast;
  /**
   * Registrations already warned about, so that a forged record is logged once, not every refresh; only those
   * still in discovery are kept, so writing ever new forged records grows nothing here.
   */
  private final Set<String> refused = ConcurrentHashMap.newKeySet();

  public RecordOrigins(HazelcastInstance hazelcast) {
    this.hazelcast = hazelcast;
  }

  /** The records among {@code records} that come from a current member, as above; the others are logged once. */
  public List<Record> fromMembers(List<Record> records) {
    Map<String, String> httpHostByNode = httpHostByNode(hazelcast.getCluster().getMembers());
    List<Record> trusted = new ArrayList<>(records.size());
    Set<String> stillRefused = new HashSet<>();
    for (Record record : records) {
      if (fromMember(record, httpHostByNode)) {
        trusted.add(record);
      } else {
        stillRefused.add(record.getRegistration());
        if (refused.add(record.getRegistration())) {
          log.warn("Ignoring discovery record {} ({} at {}): it does not come from a current cluster member",
              record.getRegistration(), record.getName(), host(record));
        }
      }
    }
    refused.retainAll(stillRefused);
    return trusted;
  }

  /** Each member's Vert.x node id and the host it serves HTTP on. */
  static Map<String, String> httpHostByNode(Set<Member> members) {
    Map<String, String> hosts = new HashMap<>();
    for (Member member : members) {
      String nodeId = member.getAttribute(ClusterNode.VERTX_NODE_ID);
      if (nodeId != null) {
        hosts.put(nodeId, ClusterNode.httpHost(member));
      }
    }
    return hosts;
  }

  static boolean fromMember(Record record, Map<String, String> httpHostByNode) {
    String nodeId = ServiceRecords.nodeId(record);
    String host = host(record);
    return nodeId != null && host != null && host.equals(httpHostByNode.get(nodeId));
  }

  private static String host(Record record) {
    return record.getLocation() == null ? null : record.getLocation().getString("host");
  }
}
