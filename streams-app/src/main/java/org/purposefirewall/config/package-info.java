/**
 * The one typed, validated configuration of the firewall: {@link org.purposefirewall.config.FirewallConfig}, read
 * from YAML by {@link org.purposefirewall.config.ConfigLoader}. Unknown keys and bad values fail at startup with a
 * {@link org.purposefirewall.config.ConfigException} naming the file and the key.
 */
package org.purposefirewall.config;
