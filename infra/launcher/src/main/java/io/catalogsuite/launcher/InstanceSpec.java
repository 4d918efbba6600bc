package io.catalogsuite.launcher;

import java.util.Map;

/**
 * One instance to start: which service, its name (also its {@code INSTANCE_ID}), the HTTP port it binds and the
 * environment that configures it.
 */
public record InstanceSpec(String name, ServiceKind service, int httpPort, Map<String, String> env) {
  public InstanceSpec {
    env = Map.copyOf(env);
  }
}
