package dev.polymux.dispatch.support;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.MemberToRemove;
import org.apache.kafka.clients.admin.RemoveMembersFromConsumerGroupOptions;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;

import dev.polymux.common.event.EventTopics;
import dev.polymux.testing.kafka.KafkaBroker;

/**
 * The dispatchers' consumer group as the broker sees it: which replica (by its static member id, the transactional
 * id) holds which tool-calls partitions, and where a call keyed by an installation id lands.
 */
public final class DispatchGroup {

    public static final String ID = "dispatch-service";

    /** A member of the group: its member id (new at every restart) and the tool-calls partitions it holds. */
    public record Member(String memberId, Set<Integer> partitions) {
    }

    private DispatchGroup() {
    }

    public static int partitions() {
        try (Admin admin = Admin.create(KafkaBroker.clientConfig())) {
            return admin.describeTopics(List.of(EventTopics.TOOL_CALLS)).allTopicNames().get().get(EventTopics.TOOL_CALLS).partitions().size();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The partition the producer's default partitioner picks for a record with this key. */
    public static int partitionOf(String key, int partitions) {
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    /**
     * Waits until the group is stable, {@code settled} holds for its members (by static member id), and nothing about
     * it changed for {@code quiet}: no rebalance seen (sampled every 50 ms; a rebalance lasts at least until every
     * member has heard of it, a heartbeat), no member replaced, no partition moved. Returns the moment that stretch
     * began (epoch ms): when the last disruption before it was over, at most a sample late.
     */
    public static long awaitSettled(Predicate<Map<String, Member>> settled, Duration quiet, Duration atMost) {
        Instant until = Instant.now().plus(atMost);
        Map<String, Member> last = Map.of();
        long since = -1;
        try (Admin admin = Admin.create(KafkaBroker.clientConfig())) {
            while (Instant.now().isBefore(until)) {
                ConsumerGroupDescription group = admin.describeConsumerGroups(List.of(ID)).all().get().get(ID);
                long seenAt = System.currentTimeMillis();
                Map<String, Member> members = members(group);
                boolean stable = group.groupState() == GroupState.STABLE && settled.test(members);
                if (!stable || !members.equals(last)) {
                    since = stable ? seenAt : -1;
                }
                last = members;
                if (since >= 0 && seenAt - since >= quiet.toMillis()) {
                    return since;
                }
                Thread.sleep(50);
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        throw new AssertionError("The dispatchers' group did not settle within " + atMost + "; its members: " + last);
    }

    /** The members now, by static member id. */
    public static Map<String, Member> members() {
        try (Admin admin = Admin.create(KafkaBroker.clientConfig())) {
            return members(admin.describeConsumerGroups(List.of(ID)).all().get().get(ID));
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Takes these static members out of the group. A static member does not leave when it stops (that is what lets a
     * restarted replica take its partitions back at once), so a test that is done with its replicas removes them, or
     * the next test's replicas would wait a session timeout for their partitions.
     */
    public static void removeStaticMembers(Collection<String> instanceIds) {
        try (Admin admin = Admin.create(KafkaBroker.clientConfig())) {
            Set<String> present = members(admin.describeConsumerGroups(List.of(ID)).all().get().get(ID)).keySet();
            List<MemberToRemove> gone = instanceIds.stream().filter(present::contains).map(MemberToRemove::new).toList();
            if (!gone.isEmpty()) {
                admin.removeMembersFromConsumerGroup(ID, new RemoveMembersFromConsumerGroupOptions(gone)).all().get();
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, Member> members(ConsumerGroupDescription group) {
        Map<String, Member> members = new HashMap<>();
        for (MemberDescription member : group.members()) {
            Set<Integer> partitions = member.assignment().topicPartitions().stream().filter(tp -> tp.topic().equals(EventTopics.TOOL_CALLS))
                    .map(TopicPartition::partition).collect(Collectors.toSet());
            members.put(member.groupInstanceId().orElse(member.consumerId()), new Member(member.consumerId(), partitions));
        }
        return members;
    }
}
