package io.catalogsuite.common.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Optional;
import java.util.Properties;

/**
 * What this build of the suite is, as the build wrote it into {@code io/catalogsuite/common/build.properties}
 * (git-commit-id-maven-plugin): the version, the commit, whether the tree had changes, when it was built. A
 * build from a copy without git history (the Docker image's) knows its version only.
 *
 * @param version   the Maven version, e.g. {@code 0.1.0-SNAPSHOT}
 * @param commit    the full commit id, if the build knew it
 * @param dirty     whether the working tree had uncommitted changes
 * @param buildTime when the build ran, ISO-8601, if known
 */
public record BuildInfo(String version, Optional<String> commit, boolean dirty, Optional<String> buildTime) {
  static final String RESOURCE = "io/catalogsuite/common/build.properties";

  /** This build's, read once. */
  public static final BuildInfo CURRENT = read();

  private static BuildInfo read() {
    Properties properties = new Properties();
    try (InputStream in = BuildInfo.class.getClassLoader().getResourceAsStream(RESOURCE)) {
      if (in != null) {
        properties.load(in);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + RESOURCE, e);
    }
    String version = properties.getProperty("git.build.version",
        Optional.ofNullable(BuildInfo.class.getPackage().getImplementationVersion()).orElse("unknown"));
    return new BuildInfo(version, nonBlank(properties.getProperty("git.commit.id")),
        Boolean.parseBoolean(properties.getProperty("git.dirty", "false")),
        nonBlank(properties.getProperty("git.build.time")));
  }

  private static Optional<String> nonBlank(String value) {
    return Optional.ofNullable(value).filter(v -> !v.isBlank());
  }
}
