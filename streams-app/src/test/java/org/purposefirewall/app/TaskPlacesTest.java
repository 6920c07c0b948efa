package org.purposefirewall.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.TaskMetadata;
import org.apache.kafka.streams.processor.TaskId;
import org.junit.jupiter.api.Test;

/** Where the deciding task of each home partition behind is, as one instance sees it. */
class TaskPlacesTest {

    private static final String HOME = "app-side-records-repartition";

    @Test
    void shouldTellForEachPartitionBehindWhetherItsTaskRunsRestoresOrIsElsewhere() {
        assertThat(TaskPlaces.describe(List.of(5, 0, 4, 2), Set.of(0, 2), Set.of(4), Map.of(2, 4, 3, 1)))
                .isEqualTo("0 active; 2 restoring 4 stores; 4 standby; 5 not here");
        // A task assigned since the thread last ran is in no list yet; its restores say it is here
        assertThat(TaskPlaces.describe(List.of(3), Set.of(), Set.of(), Map.of(3, 1)))
                .isEqualTo("3 restoring 1 store");
        assertThat(TaskPlaces.describe(List.of(), Set.of(0), Set.of(), Map.of())).isEqualTo("none");
    }

    @Test
    void shouldFindTheDecidingTasksByTheHomeTopicAmongTheirInputs() {
        List<TaskMetadata> tasks = List.of(
                task(new TaskId(0, 1), new TopicPartition("consent", 1), new TopicPartition("registrations", 1)),
                task(new TaskId(1, 3), new TopicPartition("contact-points", 3), new TopicPartition(HOME, 3)),
                task(new TaskId(1, 5), new TopicPartition("contact-points", 5), new TopicPartition(HOME, 5)));

        assertThat(TaskPlaces.homePartitions(tasks, HOME)).containsExactly(3, 5);
        assertThat(TaskPlaces.homePartitions(tasks, "other-repartition")).isEmpty();
    }

    private static TaskMetadata task(TaskId id, TopicPartition... inputs) {
        return new TaskMetadata() {
            @Override
            public TaskId taskId() {
                return id;
            }

            @Override
            public Set<TopicPartition> topicPartitions() {
                return Set.of(inputs);
            }

            @Override
            public Map<TopicPartition, Long> committedOffsets() {
                return Map.of();
            }

            @Override
            public Map<TopicPartition, Long> endOffsets() {
                return Map.of();
            }

            @Override
            public Optional<Long> timeCurrentIdlingStarted() {
                return Optional.empty();
            }
        };
    }
}
