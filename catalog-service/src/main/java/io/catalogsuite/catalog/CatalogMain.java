package io.catalogsuite.catalog;

import io.catalogsuite.common.ServiceNode;

/** Runs one catalog-service instance, configured from the environment (see README, "Configuration"). */
public final class CatalogMain {
  private CatalogMain() {
  }

  public static void main(String[] args) {
    ServiceNode.main(CatalogService.NAME, 0, env -> new CatalogService(CatalogConfig.fromEnv(env)));
  }
}
