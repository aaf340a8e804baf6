"""The counterpart directory (对口联系, design §12): higher-level departments, their people
(name, post, phone), the units dealing with each and when each was last contacted."""
