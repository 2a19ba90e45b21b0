-- What limits, blocks and abuse flags count an address as (ipKey in packages/trpc/src/domain/ip.ts
-- writes the same text): an IPv4 address itself, an IPv4-mapped IPv6 address as its IPv4, any other
-- IPv6 address as its /64 network ("2001:db8:1:2::/64"). A key or any text that is not an address
-- is returned unchanged, never an error, so the indexes on it can never refuse an insert.
CREATE FUNCTION ip_key(ip text) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
  IF ip IS NULL OR position(':' in ip) = 0 OR position('/' in ip) > 0 THEN
    RETURN ip;
  END IF;
  IF ip ~* '^::ffff:[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}$' THEN
    RETURN substr(ip, 8);
  END IF;
  RETURN network(set_masklen(ip::inet, 64))::text;
EXCEPTION WHEN others THEN
  RETURN ip;
END
$$;--> statement-breakpoint
-- Flags and blocks are kept by key: an IPv6 block written before applies to its whole /64.
UPDATE "abuse_flags" SET "ip" = ip_key("ip") WHERE "ip" <> ip_key("ip");--> statement-breakpoint
DROP INDEX "security_events_ip_idx";--> statement-breakpoint
DROP INDEX "call_sessions_ip_idx";--> statement-breakpoint
CREATE INDEX "security_events_ip_key_idx" ON "security_events" USING btree (ip_key("ip"),"created_at");--> statement-breakpoint
CREATE INDEX "call_sessions_ip_key_idx" ON "call_sessions" USING btree (ip_key("visitor_ip"),"started_at");
