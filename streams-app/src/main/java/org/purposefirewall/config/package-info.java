/**
 * The one typed, validated configuration of the firewall: {@link org.purposefirewall.config.FirewallConfig}, read
 * from YAML by {@link org.purposefirewall.config.ConfigLoader}. Every key is declared once, with its type, default,
 * rule and doc ({@link org.purposefirewall.config.ConfigKeys} lists the sections); the loader parses, defaults and
 * rejects unknown keys by those declarations, and the README's configuration reference is tested against them.
 * Unknown keys and bad values fail at startup with a {@link org.purposefirewall.config.ConfigException} naming the
 * file and the key.
 */
package org.purposefirewall.config;
