package org.purposefirewall.campaign;

import java.util.ArrayList;
import java.util.List;
import org.purposefirewall.registry.MockSchemaRegistryClient;
import org.purposefirewall.serde.AvroSerde;
import org.purposefirewall.serde.FirewallSerdes;

/**
 * One {@code mock://} scope, identical in every process of a campaign: the in-memory registry gives ids 1, 2, 3...
 * in the order distinct schemas are first registered in its JVM, so every process that registers the same schemas
 * in the same order, before anything else, holds the same ids. The harness (producers, reader) and every firewall
 * instance ({@link FirewallLauncher}) call {@link #seed} first; the firewall's own output registration then finds its
 * schemas already there and gets the same ids. {@code CampaignSchemasTest} pins the order's ids.
 */
final class CampaignSchemas {

    /** Subjects of the seed; ids are global per schema, so the subjects never matter for what a record carries. */
    private static final String SEED_TOPIC_PREFIX = "campaign-seed-";

    private CampaignSchemas() {
    }

    /** Registers every input and output schema in the scope, inputs first, in one fixed order; returns their ids. */
    static List<Integer> seed(String scope) {
        FirewallSerdes serdes = FirewallSerdes.create(MockSchemaRegistryClient.forScope(scope), true);
        List<AvroSerde<?>> ordered = List.of(serdes.contactPoint(), serdes.consentState(), serdes.registration(),
                serdes.audience(), serdes.quarantine(), serdes.suppressed(), serdes.deadLetter(), serdes.recall(),
                serdes.shadowDecision());
        List<Integer> ids = new ArrayList<>();
        for (AvroSerde<?> serde : ordered) {
            ids.add(serde.schemaIdFor(SEED_TOPIC_PREFIX + serde.schema().getName()));
        }
        return ids;
    }
}
