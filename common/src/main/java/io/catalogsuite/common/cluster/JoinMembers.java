package io.catalogsuite.common.cluster;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the {@code CLUSTER_MEMBERS} join list into what Hazelcast's TCP-IP join needs: IP addresses.
 *
 * <p>A host name in the list stands for every address it resolves to: Docker Compose (and a Kubernetes
 * headless service) answers a service name with one A record per replica. Hazelcast itself resolves a member
 * host name to a single address, so replicas started together may each see only themselves and form clusters
 * of their own; and when the name resolves to one of the local addresses, Hazelcast takes the name itself as
 * this member's address, which Vert.x then binds (failing when the name resolves to another replica) and
 * discovery publishes. Expanding names to their IPv4 addresses here avoids both.
 *
 * <p>IP addresses, ranges ({@code 10.0.0.1-7}), wildcards and IPv6 literals pass through untouched; a name
 * that does not resolve (yet) is kept as it is, so Hazelcast still retries it.
 */
final class JoinMembers {
  private static final Logger log = LoggerFactory.getLogger(JoinMembers.class);
  private static final Pattern IP_LIKE = Pattern.compile("[0-9.*\\-]+");

  private JoinMembers() {
  }

  static List<String> resolve(List<String> members) {
    Set<String> resolved = new LinkedHashSet<>();
    for (String member : members) {
      resolved.addAll(resolve(member));
    }
    List<String> result = new ArrayList<>(resolved);
    if (!result.equals(members)) {
      log.info("Cluster join list {} resolves to {}", members, result);
    }
    return result;
  }

  private static List<String> resolve(String member) {
    if (member.contains("[") || member.chars().filter(c -> c == ':').count() > 1) {
      return List.of(member); // IPv6 literal
    }
    int colon = member.indexOf(':');
    String host = colon < 0 ? member : member.substring(0, colon);
    String port = colon < 0 ? "" : member.substring(colon);
    if (IP_LIKE.matcher(host).matches()) {
      return List.of(member);
    }
    try {
      List<String> addresses = new ArrayList<>();
      for (InetAddress address : InetAddress.getAllByName(host)) {
        if (address instanceof Inet4Address) {
          addresses.add(address.getHostAddress() + port);
        }
      }
      return addresses.isEmpty() ? List.of(member) : addresses;
    } catch (UnknownHostException e) {
      return List.of(member); // not started yet, say; Hazelcast warns about it and retries it
    }
  }
}
