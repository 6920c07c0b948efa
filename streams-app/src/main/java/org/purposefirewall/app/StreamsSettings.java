package org.purposefirewall.app;

import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.LogAndFailExceptionHandler;
import org.apache.kafka.streams.errors.LogAndFailProcessingExceptionHandler;
import org.purposefirewall.config.FirewallConfig;
import org.purposefirewall.topology.SideRecordsFirst;
import org.purposefirewall.topology.SmallMemtables;

/**
 * Kafka Streams properties for a {@link FirewallConfig}. Pure but for the host name the default static member id is
 * derived from ({@link org.purposefirewall.config.GroupInstanceId#localHostName()}).
 */
public final class StreamsSettings {

    private StreamsSettings() {
    }

    /**
     * The properties: the firewall's own settings first, then the {@code streams:} pass-through (which cannot set
     * the firewall's own keys; the loader rejects that).
     */
    public static Properties of(FirewallConfig config) {
        return of(config, config.processing().staticMemberId());
    }

    /**
     * As {@link #of(FirewallConfig)} with the static member id already worked out (empty: none), so that a test can
     * give the host name.
     */
    public static Properties of(FirewallConfig config, Optional<String> staticMemberId) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, config.processing().guarantee().kafkaValue());
        props.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, config.processing().maxTaskIdle().toMillis());
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, config.processing().numStreamThreads());
        // Kafka's own interval is the ceiling; CommitPacer asks for commits as often as commit-interval-ms allows.
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, config.processing().commitIntervalMax().toMillis());
        props.put(StreamsConfig.STATE_DIR_CONFIG, config.processing().stateDir().toString());
        props.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, config.processing().numStandbyReplicas());
        props.put(StreamsConfig.TRANSACTIONAL_STATE_STORES_CONFIG, config.processing().transactionalStateStores());
        if (config.processing().transactionalStateStores()) {
            // What a kill -9 loses to a restore is what the stores hold only in memtables: SmallMemtables bounds it.
            props.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, SmallMemtables.class);
            props.put(SmallMemtables.WRITE_BUFFER_BYTES_CONFIG, config.processing().storeWriteBufferBytes());
        }
        // Kafka Streams gives group.instance.id to its main consumer, adding "-<thread index>" for each thread.
        staticMemberId.ifPresent(id -> props.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, id));
        // Every processor, store and internal topic is named in the topology; fail if one ever is not.
        props.put(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, true);
        // Record faults never reach these handlers (inputs are read with SafeAvroDeserializer and processors
        // dead-letter their own failures). What does reach them is not the record's fault, so stop rather than skip.
        props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndFailExceptionHandler.class);
        props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG,
                LogAndFailProcessingExceptionHandler.class);
        // Kafka 4.4 asks for this explicitly; it becomes the default in 5.0. The topology has no global stores, so
        // it changes nothing here but the warning. The main consumer's partition assignor reads its own copy of the
        // Streams settings from the consumer's configs, which carry only consumer keys and main.consumer.*
        // overrides (unfiltered): without the prefixed copy it would warn that the handler is not enabled.
        props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
        props.put(StreamsConfig.mainConsumerPrefix(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG),
                true);
        // Every source has its own extractor but the internal side-records topic (a DSL repartition), which must be
        // read before the data records of its task: SideRecordsFirst says why.
        props.put(StreamsConfig.DEFAULT_TIMESTAMP_EXTRACTOR_CLASS_CONFIG, SideRecordsFirst.class);
        props.putAll(config.streams());
        return props;
    }
}
