package io.catalogsuite.cacheprotocol;

import com.hazelcast.cluster.Member;
import com.hazelcast.config.CompactSerializationConfig;
import com.hazelcast.config.Config;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.nio.serialization.compact.CompactReader;
import com.hazelcast.nio.serialization.compact.CompactSerializer;
import com.hazelcast.nio.serialization.compact.CompactWriter;
import com.hazelcast.spi.impl.SerializationServiceSupport;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * How the cache protocol's values and entry processors travel between members: Hazelcast's Compact format, with a
 * serializer written out for each type (no reflection, no Java serialization). Every member that reads or runs
 * them (catalog-service, cache-service) registers the same serializers with {@link #register}.
 */
public final class CacheProtocol {
  /** The shared map of products, which cache-service defines and catalog-service reads and writes. */
  public static final String PRODUCTS_MAP = "products";
  /** The member attribute of the members that speak this protocol (they have its classes). */
  private static final String MEMBER_ATTRIBUTE = "catalog-suite.cache-protocol";

  private CacheProtocol() {
  }

  /**
   * Adds the protocol's serializers to a member's configuration, before the member starts, and marks the member
   * as one that speaks it.
   */
  public static void register(Config config) {
    config.getMemberAttributeConfig().setAttribute(MEMBER_ATTRIBUTE, "1");
    CompactSerializationConfig compact = config.getSerializationConfig().getCompactSerializationConfig();
    compact.addSerializer(new CachedProductSerializer());
    compact.addSerializer(new LookupSerializer());
    compact.addSerializer(new VersionedPutSerializer());
    compact.addSerializer(new InvalidationSerializer());
    compact.addSerializer(new OutcomeSerializer());
    compact.addSerializer(new LoadClaimSerializer());
    compact.addSerializer(new ReleaseSerializer());
  }

  /**
   * Makes sure every member knows the protocol's Compact schemas, before {@code member} serves. Hazelcast sends a
   * schema to every member the first time a member writes a value of its type, and the write waits until all have
   * acknowledged it: done from an event loop, that blocks it, and for as long as a member that is gone is still in
   * the member list (a stopped container's address does not answer: up to the failure detector's pause). Seen in
   * Docker Compose: the first claim after a scale-down blocked a catalog event loop for 16 s. Blocking: call it
   * off the event loop. Schemas already known cost nothing.
   */
  public static void replicateSchemas(HazelcastInstance member) {
    CachedProduct product = CachedProduct.product(1, new byte[] {'{', '}'});
    List<Object> samples = List.of(product, Lookup.found(product), VersionedPut.of(product),
        Invalidation.of(Map.of(1L, 1L), 1, TimeUnit.SECONDS), Invalidation.Outcome.INVALIDATED,
        LoadClaim.forAtMost(1, TimeUnit.SECONDS), LoadClaim.release());
    var serialization = ((SerializationServiceSupport) member).getSerializationService();
    for (Object sample : samples) {
      serialization.toData(sample);
    }
  }

  /** Whether {@code member} has the protocol's classes: tasks of the protocol can be sent to it. */
  public static boolean spokenBy(Member member) {
    return member.getAttribute(MEMBER_ATTRIBUTE) != null;
  }

  static final class CachedProductSerializer implements CompactSerializer<CachedProduct> {
    private static final CachedProduct.Kind[] KINDS = CachedProduct.Kind.values();

    @Override
    public CachedProduct read(CompactReader reader) {
      byte kind = reader.readInt8("kind");
      // An unknown kind stays null: the value is then not well-formed, and treated as absent.
      return new CachedProduct(kind >= 0 && kind < KINDS.length ? KINDS[kind] : null, reader.readInt64("version"),
          reader.readArrayOfInt8("body"));
    }

    @Override
    public void write(CompactWriter writer, CachedProduct value) {
      writer.writeInt8("kind", (byte) value.kind().ordinal());
      writer.writeInt64("version", value.version());
      writer.writeArrayOfInt8("body", value.body());
    }

    @Override
    public String getTypeName() {
      return "catalog.CachedProduct";
    }

    @Override
    public Class<CachedProduct> getCompactClass() {
      return CachedProduct.class;
    }
  }

  static final class LookupSerializer implements CompactSerializer<Lookup> {
    private static final Lookup.Outcome[] OUTCOMES = Lookup.Outcome.values();

    @Override
    public Lookup read(CompactReader reader) {
      return new Lookup(OUTCOMES[reader.readInt8("outcome")], reader.readCompact("entry"),
          reader.readBoolean("malformed"));
    }

    @Override
    public void write(CompactWriter writer, Lookup lookup) {
      writer.writeInt8("outcome", (byte) lookup.outcome().ordinal());
      writer.writeCompact("entry", lookup.entry());
      writer.writeBoolean("malformed", lookup.malformed());
    }

    @Override
    public String getTypeName() {
      return "catalog.Lookup";
    }

    @Override
    public Class<Lookup> getCompactClass() {
      return Lookup.class;
    }
  }

  static final class VersionedPutSerializer implements CompactSerializer<VersionedPut> {
    @Override
    public VersionedPut read(CompactReader reader) {
      return new VersionedPut(reader.readCompact("value"), reader.readInt64("ttlMillis"));
    }

    @Override
    public void write(CompactWriter writer, VersionedPut put) {
      writer.writeCompact("value", put.value);
      writer.writeInt64("ttlMillis", put.ttlMillis);
    }

    @Override
    public String getTypeName() {
      return "catalog.VersionedPut";
    }

    @Override
    public Class<VersionedPut> getCompactClass() {
      return VersionedPut.class;
    }
  }

  static final class InvalidationSerializer implements CompactSerializer<Invalidation> {
    @Override
    public Invalidation read(CompactReader reader) {
      return new Invalidation(reader.readArrayOfInt64("ids"), reader.readArrayOfInt64("versions"),
          reader.readInt64("ttlMillis"));
    }

    @Override
    public void write(CompactWriter writer, Invalidation invalidation) {
      writer.writeArrayOfInt64("ids", invalidation.ids);
      writer.writeArrayOfInt64("versions", invalidation.versions);
      writer.writeInt64("ttlMillis", invalidation.ttlMillis);
    }

    @Override
    public String getTypeName() {
      return "catalog.Invalidation";
    }

    @Override
    public Class<Invalidation> getCompactClass() {
      return Invalidation.class;
    }
  }

  static final class OutcomeSerializer implements CompactSerializer<Invalidation.Outcome> {
    private static final Invalidation.Outcome[] OUTCOMES = Invalidation.Outcome.values();

    @Override
    public Invalidation.Outcome read(CompactReader reader) {
      return OUTCOMES[reader.readInt8("outcome")];
    }

    @Override
    public void write(CompactWriter writer, Invalidation.Outcome outcome) {
      writer.writeInt8("outcome", (byte) outcome.ordinal());
    }

    @Override
    public String getTypeName() {
      return "catalog.Invalidation.Outcome";
    }

    @Override
    public Class<Invalidation.Outcome> getCompactClass() {
      return Invalidation.Outcome.class;
    }
  }

  static final class LoadClaimSerializer implements CompactSerializer<LoadClaim> {
    @Override
    public LoadClaim read(CompactReader reader) {
      return new LoadClaim(reader.readInt64("ttlMillis"));
    }

    @Override
    public void write(CompactWriter writer, LoadClaim claim) {
      writer.writeInt64("ttlMillis", claim.ttlMillis);
    }

    @Override
    public String getTypeName() {
      return "catalog.LoadClaim";
    }

    @Override
    public Class<LoadClaim> getCompactClass() {
      return LoadClaim.class;
    }
  }

  static final class ReleaseSerializer implements CompactSerializer<LoadClaim.Release> {
    @Override
    public LoadClaim.Release read(CompactReader reader) {
      return LoadClaim.Release.INSTANCE;
    }

    @Override
    public void write(CompactWriter writer, LoadClaim.Release release) {
      // nothing to say: releasing is all it does
    }

    @Override
    public String getTypeName() {
      return "catalog.LoadClaim.Release";
    }

    @Override
    public Class<LoadClaim.Release> getCompactClass() {
      return LoadClaim.Release.class;
    }
  }
}
