/**
 * Not API: the implementation behind {@code dev.broadcasting.ably}, used across this project's modules. Anything
 * here may change or go in any release without notice; applications and driver authors use
 * {@code dev.broadcasting}, {@code dev.broadcasting.spi} and the driver's own public package instead.
 */
package dev.broadcasting.ably.internal;
