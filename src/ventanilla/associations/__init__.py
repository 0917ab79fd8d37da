"""Services that follow each other: "who asks for A also asks for B within 90 days", mined every
night from cases and contacts, suggested to agents on the 360° view and reported to managers.
A rule holds counts only, never a person."""
