package io.catalogsuite.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class DatabaseTest {

  @Test
  void redact_hidesPasswords_keepsTheRest() {
    assertThat(Database.redact("postgresql://catalog:s3cret@db.local:5432/catalog"))
        .isEqualTo("postgresql://catalog:***@db.local:5432/catalog");
    assertThat(Database.redact("postgresql://catalog:p@ss/w0rd@db:5432/catalog?sslmode=require"))
        .isEqualTo("postgresql://catalog:***@db:5432/catalog?sslmode=require");
    assertThat(Database.redact("postgresql://db:5432/catalog?user=catalog&password=s3cret&ssl=true"))
        .isEqualTo("postgresql://db:5432/catalog?user=catalog&password=***&ssl=true");
    assertThat(Database.redact("postgresql://postgres@localhost:5432/catalog"))
        .isEqualTo("postgresql://postgres@localhost:5432/catalog");
  }

  @Test
  void external_isDescribedWithoutItsPassword() {
    Database database = Database.external("postgresql://catalog:s3cret@db:5432/catalog");
    assertThat(database.url()).isEqualTo("postgresql://catalog:s3cret@db:5432/catalog");
    assertThat(database.description()).doesNotContain("s3cret");
  }

  @Test
  void embedded_isDescribedWithItsUrl_forToolsThatConnect() {
    assertThat(Database.embeddedDescription("postgresql://postgres@localhost:5555/catalog", Path.of("/x/pg")))
        .isEqualTo("embedded Postgres at postgresql://postgres@localhost:5555/catalog, data in /x/pg");
  }
}
