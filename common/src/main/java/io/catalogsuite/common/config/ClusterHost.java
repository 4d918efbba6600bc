package io.catalogsuite.common.config;

/**
 * {@code CLUSTER_HOST}: where Hazelcast and the event bus bind and what they advertise. One of three kinds, told
 * apart once, here: {@code auto}, an IPv4 interface pattern, or an address (or host name) bound as given.
 */
public sealed interface ClusterHost {
  /** Hazelcast chooses an interface: right inside a container with one network. */
  record Auto() implements ClusterHost {
  }

  /** Exactly this address or host name. */
  record Address(String host) implements ClusterHost {
  }

  /**
   * The one interface whose address matches, e.g. {@code 10.231.0.*} or {@code 10.231.0.10-200}: a container on
   * several networks binds the cluster's only.
   */
  record InterfacePattern(String pattern) implements ClusterHost {
  }

  /** Reads a {@code CLUSTER_HOST} value; a {@code *} outside a well-formed IPv4 pattern is refused. */
  static ClusterHost parse(String value) {
    if (value.equalsIgnoreCase("auto")) {
      return new Auto();
    }
    // four parts, each a number, a range a-b or *; with no range and no *, it is a plain address
    if ((value.contains("*") || value.contains("-"))
        && value.matches("((\\d{1,3}(-\\d{1,3})?|\\*)\\.){3}(\\d{1,3}(-\\d{1,3})?|\\*)")) {
      return new InterfacePattern(value);
    }
    if (value.contains("*")) {
      throw new ConfigException("CLUSTER_HOST: '" + value + "' is neither an address nor an IPv4 pattern such as"
          + " 10.231.0.* or 10.231.0.10-200");
    }
    return new Address(value);
  }
}
