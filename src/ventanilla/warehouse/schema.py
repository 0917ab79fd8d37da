"""The warehouse's star schema: what each table holds, and the views that derive from it.

Facts name their dimensions by code (a channel, service, agency, office or life event code, a
date, a district) so that the same SQL runs on the Parquet export in Spark or Trino without key
tables. People appear only as ``party_key``: a number cut from an HMAC of the party's id under
a key kept outside the warehouse. No column holds a name, identifier, contact data or free text
of a person.
"""

from __future__ import annotations

# Every table the build writes, with its columns. The build inserts by name, so the order here
# is the order analysts see.
TABLES: dict[str, str] = {
    "dim_party": """
        party_key BIGINT NOT NULL,
        kind VARCHAR,
        birth_cohort SMALLINT,
        sex VARCHAR,
        language VARCHAR,
        accessibility_needs VARCHAR[],
        district VARCHAR
    """,
    "fact_interaction": """
        interaction_id VARCHAR NOT NULL,
        party_key BIGINT,
        occurred_at TIMESTAMP NOT NULL,
        date_key DATE NOT NULL,
        channel_code VARCHAR,
        agency_code VARCHAR,
        service_code VARCHAR,
        case_id VARCHAR,
        direction VARCHAR,
        relationship VARCHAR,
        kind VARCHAR,
        outcome VARCHAR,
        duration_seconds INTEGER,
        handled_by_agent BOOLEAN,
        updated_at TIMESTAMP NOT NULL
    """,
    "fact_case": """
        case_id VARCHAR NOT NULL,
        party_key BIGINT,
        service_code VARCHAR,
        channel_code VARCHAR,
        department_code VARCHAR,
        life_event_code VARCHAR,
        status VARCHAR,
        priority VARCHAR,
        is_open BOOLEAN,
        routed_by VARCHAR,
        triage BOOLEAN,
        duplicate BOOLEAN,
        escalated BOOLEAN,
        district VARCHAR,
        opened_at TIMESTAMP NOT NULL,
        date_key DATE NOT NULL,
        due_date DATE,
        resolved_at TIMESTAMP,
        closed_at TIMESTAMP,
        hours_to_close DOUBLE,
        closed_late BOOLEAN,
        satisfaction SMALLINT,
        satisfaction_at TIMESTAMP,
        updated_at TIMESTAMP NOT NULL
    """,
    "fact_case_step": """
        step_id VARCHAR NOT NULL,
        case_id VARCHAR NOT NULL,
        kind VARCHAR,
        action VARCHAR,
        from_status VARCHAR,
        to_status VARCHAR,
        from_department_code VARCHAR,
        to_department_code VARCHAR,
        public BOOLEAN,
        occurred_at TIMESTAMP NOT NULL,
        date_key DATE NOT NULL,
        updated_at TIMESTAMP NOT NULL
    """,
    "fact_appointment": """
        appointment_id VARCHAR NOT NULL,
        party_key BIGINT,
        kind VARCHAR,
        status VARCHAR,
        office_code VARCHAR,
        agency_code VARCHAR,
        service_code VARCHAR,
        start_at TIMESTAMP NOT NULL,
        date_key DATE NOT NULL,
        checked_in_at TIMESTAMP,
        called_at TIMESTAMP,
        served_at TIMESTAMP,
        finished_at TIMESTAMP,
        wait_seconds DOUBLE,
        service_seconds DOUBLE,
        updated_at TIMESTAMP NOT NULL
    """,
    "fact_survey_response": """
        response_id VARCHAR NOT NULL,
        survey_id VARCHAR NOT NULL,
        agency_code VARCHAR,
        anonymous BOOLEAN,
        submitted_at TIMESTAMP NOT NULL,
        date_key DATE NOT NULL,
        updated_at TIMESTAMP NOT NULL
    """,
}

# Each contact from the public about a service, and whether the same person had contacted the
# administration about the same service in the 30 days before (a repeat contact). Derived from
# the facts too, but each person's contacts are a window of their own: a refresh works it out
# again for the people whose contacts it touched only (the query ends in a condition, so the
# refresh adds its own with AND).
REPEAT_CONTACT = """
    SELECT interaction_id, party_key, channel_code, agency_code, service_code, date_key,
           COALESCE(occurred_at - lag(occurred_at) OVER (
               PARTITION BY party_key, service_code ORDER BY occurred_at, interaction_id
           ) <= INTERVAL 30 DAY, false) AS repeat
    FROM fact_interaction
    WHERE direction = 'inbound' AND party_key IS NOT NULL AND service_code IS NOT NULL
"""

# Small dimensions and derived tables, rebuilt whole on every build (they are a few hundred rows,
# or derived from the facts in the warehouse itself), but for the repeat contacts of a refresh.
DERIVED: dict[str, str] = {
    "fact_satisfaction": """
        SELECT case_id, party_key, service_code, channel_code, department_code, district,
               satisfaction AS score,
               -- The demo's history and imports may lack the answer's time: the closing then.
               COALESCE(satisfaction_at, closed_at) AS answered_at,
               CAST(COALESCE(satisfaction_at, closed_at) AS DATE) AS date_key
        FROM fact_case WHERE satisfaction IS NOT NULL
    """,
    # Each case under each life event its service belongs to (a case may count under several).
    "fact_case_life_event": """
        SELECT c.case_id, c.party_key, b.life_event_code, c.service_code, c.channel_code,
               c.department_code, c.district, c.date_key
        FROM fact_case c JOIN bridge_service_life_event b ON b.service_code = c.service_code
    """,
    "fact_repeat_contact": REPEAT_CONTACT,
    "dim_district": """
        SELECT DISTINCT district FROM (
            SELECT district FROM fact_case UNION ALL SELECT district FROM dim_party
        ) WHERE district IS NOT NULL AND district <> ''
    """,
    "dim_date": """
        WITH bounds AS (
            SELECT min(d) AS low, max(d) AS high FROM (
                SELECT min(date_key) AS d FROM fact_interaction
                UNION ALL SELECT max(date_key) FROM fact_interaction
                UNION ALL SELECT min(date_key) FROM fact_case
                UNION ALL SELECT max(date_key) FROM fact_case
                UNION ALL SELECT max(due_date) FROM fact_case
                UNION ALL SELECT min(date_key) FROM fact_appointment
                UNION ALL SELECT max(date_key) FROM fact_appointment
            )
        )
        SELECT CAST(day AS DATE) AS date_key, year(day) AS year, quarter(day) AS quarter,
               month(day) AS month, day(day) AS day, isodow(day) AS iso_weekday,
               week(day) AS iso_week, isodow(day) >= 6 AS weekend
        FROM bounds, range(bounds.low, bounds.high + INTERVAL 1 DAY, INTERVAL 1 DAY) AS t(day)
        WHERE bounds.low IS NOT NULL
    """,
}

VIEWS: dict[str, str] = {
    # The age band as of today: the warehouse keeps the five-year birth cohort, not the age, so
    # a full rebuild and a refresh agree whatever day each ran. With each person's segment.
    "v_party": """
        SELECT *, CASE
            WHEN birth_cohort IS NULL THEN NULL
            WHEN year(current_date) - birth_cohort - 2 < 18 THEN '0-17'
            WHEN year(current_date) - birth_cohort - 2 < 30 THEN '18-29'
            WHEN year(current_date) - birth_cohort - 2 < 45 THEN '30-44'
            WHEN year(current_date) - birth_cohort - 2 < 65 THEN '45-64'
            WHEN year(current_date) - birth_cohort - 2 < 80 THEN '65-79'
            ELSE '80+' END AS age_band
        FROM dim_party LEFT JOIN dim_party_segment USING (party_key)
    """,
    # Each step of a case with the time since the step before: where cases wait.
    "v_case_step_time": """
        SELECT *, epoch(occurred_at - lag(occurred_at) OVER (
            PARTITION BY case_id ORDER BY occurred_at, step_id)) AS seconds_since_previous
        FROM fact_case_step
    """,
}

STATE_TABLE = """
    CREATE TABLE IF NOT EXISTS warehouse_state (
        source VARCHAR PRIMARY KEY,
        high_water TIMESTAMP,
        rows BIGINT
    )
"""
META_TABLE = """
    CREATE TABLE IF NOT EXISTS warehouse_meta (name VARCHAR PRIMARY KEY, value VARCHAR)
"""
