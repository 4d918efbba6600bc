package io.catalogsuite.launcher;

import java.nio.file.Path;

/** The services of the suite, in the order they start, and where the build puts their runnable jars. */
public enum ServiceKind {
  CACHE("cache-service", "cache"),
  CATALOG("catalog-service", "catalog"),
  GATEWAY("gateway", "gateway");

  private final String module;
  private final String instancePrefix;

  ServiceKind(String module, String instancePrefix) {
    this.module = module;
    this.instancePrefix = instancePrefix;
  }

  /** The service's name, which is its Maven module's too: {@code catalog-service}. */
  public String module() {
    return module;
  }

  /** The shaded jar: {@code <root>/<module>/target/<module>.jar}. */
  public Path jar(Path projectRoot) {
    return projectRoot.resolve(module).resolve("target").resolve(module + ".jar");
  }

  /** The name of the n-th instance (from 1), e.g. {@code catalog-2}; it is also the instance's INSTANCE_ID. */
  public String instanceName(int n) {
    return instancePrefix + "-" + n;
  }
}
