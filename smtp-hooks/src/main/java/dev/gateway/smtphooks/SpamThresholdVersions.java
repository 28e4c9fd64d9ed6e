package dev.gateway.smtphooks;

import dev.gateway.routing.RoutingTableVersions;

/**
 * Where the nodes of a cluster keep the per-recipient spam thresholds they all follow: the contract of the routing
 * table's versions (numbered 1, 2, 3... in the order stored, each validated before it is stored, the newest polled
 * by every node), for a document in {@code spam-thresholds.xml}'s format ({@code Stored.yaml()} holds its XML).
 */
public interface SpamThresholdVersions extends RoutingTableVersions {
}
