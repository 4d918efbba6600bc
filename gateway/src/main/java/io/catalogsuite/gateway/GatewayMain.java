package io.catalogsuite.gateway;

import io.catalogsuite.common.ServiceNode;
import io.catalogsuite.gateway.protect.ProtectionConfig;

/** Runs the gateway, configured from the environment (see README, "Configuration"). */
public final class GatewayMain {
  private GatewayMain() {
  }

  public static void main(String[] args) {
    ServiceNode.main(GatewayService.NAME, 8080, env -> new GatewayService(GatewayConfig.fromEnv(env),
        ProtectionConfig.fromEnv(env)));
  }
}
