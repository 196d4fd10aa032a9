-- Billing owns the money: charges, invoices and their lines, credit notes, payments, refunds,
-- revenue per facility and day, and the discounts (promo codes, merchant validations, permits).
-- Money is bigint minor units of `currency`; never a float.
CREATE EXTENSION IF NOT EXISTS btree_gist;

-- What billing learnt about each facility it bills for: its tenant, time zone and currency.
CREATE TABLE billing_facilities (
  facility_id text PRIMARY KEY,
  tenant_id text NOT NULL,
  name text NOT NULL,
  timezone text NOT NULL,
  currency char(3) NOT NULL,
  updated_at timestamptz NOT NULL
);

-- A tenant may bill a customer monthly instead of per visit.
CREATE TABLE billing_accounts (
  tenant_id text NOT NULL,
  customer_id text NOT NULL,
  billing_cycle text NOT NULL DEFAULT 'PER_VISIT' CHECK (billing_cycle IN ('PER_VISIT', 'MONTHLY')),
  payment_terms_days integer NOT NULL CHECK (payment_terms_days BETWEEN 0 AND 120),
  updated_at timestamptz NOT NULL,
  updated_by text,
  PRIMARY KEY (tenant_id, customer_id)
);

CREATE TABLE invoices (
  invoice_id text PRIMARY KEY,
  tenant_id text NOT NULL,
  facility_id text NOT NULL REFERENCES billing_facilities (facility_id),
  customer_id text,
  registration_number text,
  -- VISIT: one parking visit (issued at exit); MONTHLY: a customer's month at a facility;
  -- SINGLE: a charge on its own (a no-show fee, a permit).
  kind text NOT NULL CHECK (kind IN ('VISIT', 'MONTHLY', 'SINGLE')),
  parking_session_id text,
  period_month date,
  invoice_date date NOT NULL,
  due_date date,
  total_amount bigint NOT NULL DEFAULT 0 CHECK (total_amount >= 0),
  amount_credited bigint NOT NULL DEFAULT 0 CHECK (amount_credited >= 0),
  amount_paid bigint NOT NULL DEFAULT 0 CHECK (amount_paid >= 0),
  amount_refunded bigint NOT NULL DEFAULT 0 CHECK (amount_refunded >= 0),
  currency char(3) NOT NULL,
  status text NOT NULL DEFAULT 'DRAFT'
    CHECK (status IN ('DRAFT', 'ISSUED', 'PAID', 'OVERDUE', 'CANCELLED', 'VOID')),
  issue_date timestamptz,
  paid_date timestamptz,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  CONSTRAINT invoice_credit_within_total CHECK (amount_credited <= total_amount),
  CONSTRAINT invoice_refund_within_paid CHECK (amount_refunded <= amount_paid),
  -- Payments never exceed what is owed.
  CONSTRAINT invoice_payments_within_owed CHECK (amount_paid - amount_refunded <= total_amount - amount_credited),
  CONSTRAINT invoice_draft_untouched CHECK (
    status NOT IN ('DRAFT', 'CANCELLED') OR (amount_paid = 0 AND amount_credited = 0)
  ),
  CONSTRAINT invoice_issued_dated CHECK (status IN ('DRAFT', 'CANCELLED') OR (issue_date IS NOT NULL AND due_date IS NOT NULL)),
  CHECK ((kind = 'VISIT') = (parking_session_id IS NOT NULL)),
  CHECK ((kind = 'MONTHLY') = (period_month IS NOT NULL AND customer_id IS NOT NULL))
);
CREATE INDEX invoices_customer_status_due ON invoices (customer_id, status, due_date);
CREATE INDEX invoices_facility_date ON invoices (facility_id, invoice_date);
CREATE INDEX invoices_tenant_created ON invoices (tenant_id, created_at);
CREATE INDEX invoices_overdue_watch ON invoices (due_date) WHERE status = 'ISSUED';
CREATE UNIQUE INDEX invoices_one_per_visit ON invoices (parking_session_id) WHERE kind = 'VISIT';
CREATE UNIQUE INDEX invoices_one_per_month ON invoices (customer_id, facility_id, period_month)
  WHERE kind = 'MONTHLY' AND status = 'DRAFT';

CREATE TABLE charges (
  charge_id text PRIMARY KEY,
  tenant_id text NOT NULL,
  facility_id text NOT NULL REFERENCES billing_facilities (facility_id),
  customer_id text,
  registration_number text,
  parking_session_id text,
  charging_session_id text,
  reservation_id text,
  permit_id text,
  charge_type text NOT NULL CHECK (charge_type IN ('PARKING', 'CHARGING', 'RESERVATION', 'PENALTY')),
  -- Which revenue line the money counts towards (an idle fee is charging revenue, a no-show fee reservation).
  revenue_category text NOT NULL CHECK (revenue_category IN ('PARKING', 'CHARGING', 'RESERVATION')),
  amount bigint NOT NULL CHECK (amount >= 0),
  discount_amount bigint NOT NULL DEFAULT 0 CHECK (discount_amount >= 0),
  currency char(3) NOT NULL,
  description text NOT NULL,
  quantity numeric(12, 3) NOT NULL DEFAULT 1 CHECK (quantity > 0),
  unit_price bigint NOT NULL CHECK (unit_price >= 0),
  breakdown jsonb NOT NULL DEFAULT '{}',
  -- What was billed, e.g. parking:pks_…, charging:chs_…, no-show:res_…: a redelivered event or a
  -- retried call finds the charge it already made instead of billing twice.
  source_key text NOT NULL UNIQUE,
  occurred_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL
);
CREATE INDEX charges_customer_created ON charges (customer_id, created_at);
CREATE INDEX charges_parking_session ON charges (parking_session_id) WHERE parking_session_id IS NOT NULL;

CREATE TABLE invoice_line_items (
  line_item_id text PRIMARY KEY,
  invoice_id text NOT NULL REFERENCES invoices (invoice_id),
  charge_id text NOT NULL UNIQUE REFERENCES charges (charge_id),
  charge_type text NOT NULL,
  description text NOT NULL,
  quantity numeric(12, 3) NOT NULL CHECK (quantity > 0),
  unit_price bigint NOT NULL CHECK (unit_price >= 0),
  total_amount bigint NOT NULL CHECK (total_amount >= 0),
  created_at timestamptz NOT NULL
);
CREATE INDEX invoice_line_items_invoice ON invoice_line_items (invoice_id);

-- Only a draft's lines change, and an issued invoice's total never does: corrections are credit notes.
CREATE FUNCTION invoice_lines_only_on_drafts() RETURNS trigger AS $$
DECLARE
  invoice_status text;
BEGIN
  SELECT status INTO invoice_status FROM invoices WHERE invoice_id = COALESCE(NEW.invoice_id, OLD.invoice_id);
  IF invoice_status IS DISTINCT FROM 'DRAFT' THEN
    RAISE EXCEPTION 'invoice % is % and cannot change', COALESCE(NEW.invoice_id, OLD.invoice_id), invoice_status
      USING ERRCODE = 'check_violation', CONSTRAINT = 'invoice_immutable';
  END IF;
  RETURN COALESCE(NEW, OLD);
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER invoice_line_items_draft_only BEFORE INSERT OR UPDATE OR DELETE ON invoice_line_items
  FOR EACH ROW EXECUTE FUNCTION invoice_lines_only_on_drafts();

CREATE FUNCTION invoice_total_frozen() RETURNS trigger AS $$
BEGIN
  IF OLD.status <> 'DRAFT' AND (NEW.total_amount <> OLD.total_amount OR NEW.currency <> OLD.currency
      OR NEW.customer_id IS DISTINCT FROM OLD.customer_id OR NEW.facility_id <> OLD.facility_id) THEN
    RAISE EXCEPTION 'invoice % is % and cannot change', OLD.invoice_id, OLD.status
      USING ERRCODE = 'check_violation', CONSTRAINT = 'invoice_immutable';
  END IF;
  IF OLD.status IN ('CANCELLED', 'VOID') AND NEW.status <> OLD.status THEN
    RAISE EXCEPTION 'invoice % is %', OLD.invoice_id, OLD.status
      USING ERRCODE = 'check_violation', CONSTRAINT = 'invoice_immutable';
  END IF;
  RETURN NEW;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER invoices_total_frozen BEFORE UPDATE ON invoices
  FOR EACH ROW EXECUTE FUNCTION invoice_total_frozen();

-- At commit, every touched invoice's total is the sum of its lines.
CREATE FUNCTION invoice_total_is_sum_of_lines() RETURNS trigger AS $$
DECLARE
  id text := CASE WHEN TG_TABLE_NAME = 'invoices' THEN NEW.invoice_id ELSE COALESCE(NEW.invoice_id, OLD.invoice_id) END;
  total bigint;
  lines bigint;
BEGIN
  SELECT total_amount INTO total FROM invoices WHERE invoice_id = id;
  SELECT COALESCE(sum(total_amount), 0) INTO lines FROM invoice_line_items WHERE invoice_id = id;
  IF total IS NOT NULL AND total <> lines THEN
    RAISE EXCEPTION 'invoice % total % is not the sum of its lines %', id, total, lines
      USING ERRCODE = 'check_violation', CONSTRAINT = 'invoice_total_is_sum_of_lines';
  END IF;
  RETURN NULL;
END
$$ LANGUAGE plpgsql;
CREATE CONSTRAINT TRIGGER invoice_lines_sum AFTER INSERT OR UPDATE OR DELETE ON invoice_line_items
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION invoice_total_is_sum_of_lines();
CREATE CONSTRAINT TRIGGER invoice_total_sum AFTER INSERT OR UPDATE ON invoices
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION invoice_total_is_sum_of_lines();

-- A correction to an issued invoice: it lowers what is owed, never below what was paid and kept.
CREATE TABLE credit_notes (
  credit_note_id text PRIMARY KEY,
  invoice_id text NOT NULL REFERENCES invoices (invoice_id),
  amount bigint NOT NULL CHECK (amount > 0),
  currency char(3) NOT NULL,
  reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
  created_by text NOT NULL,
  created_at timestamptz NOT NULL
);
CREATE INDEX credit_notes_invoice ON credit_notes (invoice_id);

CREATE TABLE payments (
  payment_id text PRIMARY KEY,
  invoice_id text NOT NULL REFERENCES invoices (invoice_id),
  tenant_id text NOT NULL,
  facility_id text NOT NULL,
  customer_id text,
  amount bigint NOT NULL CHECK (amount > 0),
  refunded_amount bigint NOT NULL DEFAULT 0 CHECK (refunded_amount >= 0),
  currency char(3) NOT NULL,
  payment_method text NOT NULL CHECK (payment_method IN ('CREDIT_CARD', 'DEBIT_CARD', 'DIGITAL_WALLET')),
  processor text NOT NULL,
  payment_processor_id text,
  card_brand text,
  last4 char(4),
  status text NOT NULL CHECK (status IN ('PENDING', 'COMPLETED', 'FAILED', 'REFUNDED')),
  failure_code text,
  failure_message text,
  transaction_date timestamptz NOT NULL,
  confirmation_code text UNIQUE,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  CONSTRAINT payment_refund_within_amount CHECK (refunded_amount <= amount),
  CHECK (status <> 'COMPLETED' OR confirmation_code IS NOT NULL)
);
CREATE INDEX payments_invoice_status ON payments (invoice_id, status);
CREATE INDEX payments_customer_date ON payments (customer_id, transaction_date);

CREATE TABLE refunds (
  refund_id text PRIMARY KEY,
  payment_id text NOT NULL REFERENCES payments (payment_id),
  invoice_id text NOT NULL REFERENCES invoices (invoice_id),
  amount bigint NOT NULL CHECK (amount > 0),
  currency char(3) NOT NULL,
  reason text NOT NULL,
  status text NOT NULL CHECK (status IN ('PENDING', 'COMPLETED', 'FAILED')),
  processor_refund_id text,
  failure_message text,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE INDEX refunds_payment ON refunds (payment_id);

-- Money received per facility and local day, split by what it paid for.
CREATE TABLE revenue_summary (
  summary_id text PRIMARY KEY,
  facility_id text NOT NULL REFERENCES billing_facilities (facility_id),
  tenant_id text NOT NULL,
  report_date date NOT NULL,
  currency char(3) NOT NULL,
  parking_revenue bigint NOT NULL DEFAULT 0,
  charging_revenue bigint NOT NULL DEFAULT 0,
  reservation_revenue bigint NOT NULL DEFAULT 0,
  total_revenue bigint NOT NULL DEFAULT 0,
  transaction_count integer NOT NULL DEFAULT 0 CHECK (transaction_count >= 0),
  published_at timestamptz,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  UNIQUE (facility_id, report_date),
  CHECK (total_revenue = parking_revenue + charging_revenue + reservation_revenue)
);
CREATE INDEX revenue_summary_facility_date ON revenue_summary (facility_id, report_date);

-- A monthly permit: the vehicle parks at the facility without a per-visit charge.
CREATE TABLE permits (
  permit_id text PRIMARY KEY,
  tenant_id text NOT NULL,
  facility_id text NOT NULL REFERENCES billing_facilities (facility_id),
  customer_id text,
  registration_number text NOT NULL,
  valid_from timestamptz NOT NULL,
  valid_until timestamptz NOT NULL,
  charge_id text REFERENCES charges (charge_id),
  status text NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'CANCELLED')),
  created_by text NOT NULL,
  created_at timestamptz NOT NULL,
  CHECK (valid_until > valid_from),
  CONSTRAINT permits_no_overlap EXCLUDE USING gist (
    facility_id WITH =, registration_number WITH =, tstzrange(valid_from, valid_until, '[)') WITH &&
  ) WHERE (status = 'ACTIVE')
);

CREATE TABLE promo_codes (
  promo_id text PRIMARY KEY,
  tenant_id text NOT NULL,
  facility_id text,
  code text NOT NULL CHECK (code ~ '^[A-Z0-9_-]{3,40}$'),
  kind text NOT NULL CHECK (kind IN ('PERCENTAGE', 'FIXED')),
  percent_off numeric(5, 2) CHECK (percent_off > 0 AND percent_off <= 100),
  amount_off bigint CHECK (amount_off > 0),
  currency char(3),
  valid_from timestamptz NOT NULL,
  valid_until timestamptz NOT NULL,
  max_uses integer CHECK (max_uses > 0),
  used_count integer NOT NULL DEFAULT 0 CHECK (used_count >= 0),
  active boolean NOT NULL DEFAULT true,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL,
  CHECK (valid_until > valid_from),
  CONSTRAINT promo_within_usage_limit CHECK (max_uses IS NULL OR used_count <= max_uses),
  CHECK ((kind = 'PERCENTAGE') = (percent_off IS NOT NULL)),
  CHECK ((kind = 'FIXED') = (amount_off IS NOT NULL AND currency IS NOT NULL))
);
CREATE UNIQUE INDEX promo_codes_tenant_code ON promo_codes (tenant_id, code);

-- A promo code applied to one parking visit (one per visit), used when the visit is charged.
CREATE TABLE promo_redemptions (
  parking_session_id text PRIMARY KEY,
  promo_id text NOT NULL REFERENCES promo_codes (promo_id),
  tenant_id text NOT NULL,
  customer_id text,
  redeemed_by text NOT NULL,
  redeemed_at timestamptz NOT NULL
);

-- A shop validates a visit: its first free_minutes are not charged.
CREATE TABLE merchant_validations (
  validation_id text PRIMARY KEY,
  tenant_id text NOT NULL,
  facility_id text NOT NULL,
  parking_session_id text NOT NULL,
  merchant_name text NOT NULL CHECK (length(merchant_name) BETWEEN 1 AND 200),
  free_minutes integer NOT NULL CHECK (free_minutes BETWEEN 1 AND 1440),
  created_by text NOT NULL,
  created_at timestamptz NOT NULL
);
CREATE INDEX merchant_validations_session ON merchant_validations (parking_session_id);
