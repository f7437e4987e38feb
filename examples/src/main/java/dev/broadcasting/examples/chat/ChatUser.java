package dev.broadcasting.examples.chat;

/** Someone logged in to the chat demo: an id for channel names and presence, and the name they picked. */
public record ChatUser(long id, String name) {}
