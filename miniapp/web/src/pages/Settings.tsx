// Settings: careful communication, hot-lead scoring, and who may use this app.
import { Fragment, useState } from "react";
import { ApiError, api } from "../api.ts";
import { t } from "../i18n/translate.ts";
import { useSession } from "../session.ts";
import { confirmAction, useMainButton } from "../telegram.ts";
import type { Admin, LeadSettings, Policy, Problem, Settings } from "../types.ts";
import { Button, Field, Input, NumberInput, Select, Switch } from "../ui/controls.tsx";
import { ErrorNote, problemText } from "../ui/errors.tsx";
import { Icon } from "../ui/icons.tsx";
import { Cell, Loading, Section } from "../ui/layout.tsx";
import { useLoad } from "../ui/load.ts";
import { ProblemList, ProblemsProvider } from "../ui/problems.tsx";
import { refusedFields, useAction } from "../useAction.ts";
import { Webhooks } from "./Webhooks.tsx";

/** The settings tab: the forms once the settings have loaded, the managers, and (owners) webhooks. */
export function SettingsPage() {
  const settings = useLoad(api.settings, "settings");
  const { canEdit } = useSession();
  if (settings.error) return <ErrorNote error={settings.error} onRetry={settings.reload} />;
  if (!settings.data) return <Loading />;
  return (
    <>
      <SettingsForm initial={settings.data} />
      <Managers />
      {canEdit ? <Webhooks /> : null}
    </>
  );
}

/** The policy and the lead settings, saved together; each part goes only when it changed. */
function SettingsForm({ initial }: { initial: Settings }) {
  const { canEdit } = useSession();
  const [saved, setSaved] = useState(initial);
  const [policy, setPolicy] = useState<Policy>(initial.policy);
  const [leads, setLeads] = useState<LeadSettings>(initial.leads);
  const [weights, setWeights] = useState(() => Object.entries(initial.leads.weights));
  const [problems, setProblems] = useState<Problem[]>([]);
  const saving = useAction();
  const leadsDraft: LeadSettings = {
    ...leads,
    weights: Object.fromEntries(weights.filter(([k]) => k.trim())),
  };
  const policyDirty = JSON.stringify(policy) !== JSON.stringify(saved.policy);
  const leadsDirty = JSON.stringify(leadsDraft) !== JSON.stringify(saved.leads);

  const save = () =>
    saving.run(
      async () => {
        const found: Problem[] = [];
        let next = saved;
        if (policyDirty) {
          try {
            next = { ...next, policy: await api.savePolicy(policy) };
          } catch (error) {
            if (!(error instanceof ApiError && error.status === 400)) throw error;
            found.push(...error.problems.map((p) => ({ ...p, path: `policy.${p.path}` })));
          }
        }
        if (leadsDirty) {
          try {
            next = { ...next, leads: await api.saveLeadSettings(leadsDraft) };
          } catch (error) {
            if (!(error instanceof ApiError && error.status === 400)) throw error;
            found.push(...error.problems.map((p) => ({ ...p, path: `leads.${p.path}` })));
          }
        }
        setSaved(next);
        setProblems(found);
        // What was refused, as one refusal: the part that passed stays saved.
        if (found.length > 0) throw new ApiError(400, { error: "invalid", problems: found });
      },
      { done: t("saved"), failed: refusedFields(setProblems) },
    );

  useMainButton(
    canEdit && (policyDirty || leadsDirty || saving.busy)
      ? { text: t("save"), onClick: () => void save(), loading: saving.busy }
      : null,
  );

  const quiet = policy.quietHours;
  return (
    <ProblemsProvider value={problems}>
      <ProblemList problems={problems} />
      <Section title={t("policy")} footer={t("policyHint")}>
        <div className="row-2">
          <Field label={t("dailyCap")} path="policy.dailyCap">
            {(id) => (
              <NumberInput
                id={id}
                min={1}
                max={50}
                value={policy.dailyCap}
                onChange={(v) => setPolicy({ ...policy, dailyCap: v ?? 0 })}
              />
            )}
          </Field>
          <Field label={t("minPause")} path="policy.minPauseMinutes">
            {(id) => (
              <NumberInput
                id={id}
                min={0}
                value={policy.minPauseMinutes}
                onChange={(v) => setPolicy({ ...policy, minPauseMinutes: v ?? 0 })}
              />
            )}
          </Field>
        </div>
        <Switch
          label={t("quietHours")}
          checked={quiet !== null}
          onChange={(on) =>
            setPolicy({ ...policy, quietHours: on ? { start: "21:00", end: "09:00" } : null })
          }
        />
        {quiet ? (
          <div className="row-2">
            <Field label={t("from")} path="policy.quietHours.start">
              {(id) => (
                <Input
                  id={id}
                  type="time"
                  value={quiet.start}
                  onChange={(start) => setPolicy({ ...policy, quietHours: { ...quiet, start } })}
                />
              )}
            </Field>
            <Field label={t("to")} path="policy.quietHours.end">
              {(id) => (
                <Input
                  id={id}
                  type="time"
                  value={quiet.end}
                  onChange={(end) => setPolicy({ ...policy, quietHours: { ...quiet, end } })}
                />
              )}
            </Field>
          </div>
        ) : null}
        {quiet ? (
          <Field
            label={t("replyWindow")}
            path="policy.replyWindowMinutes"
            hint={t("replyWindowHint")}
          >
            {(id) => (
              <NumberInput
                id={id}
                min={0}
                max={1440}
                value={policy.replyWindowMinutes}
                onChange={(v) => setPolicy({ ...policy, replyWindowMinutes: v ?? 0 })}
              />
            )}
          </Field>
        ) : null}
        <Switch
          label={t("unsubscribeButtonSetting")}
          checked={policy.unsubscribeButton}
          onChange={(on) => setPolicy({ ...policy, unsubscribeButton: on })}
        />
        <p className="hint">{t("unsubscribeButtonHint")}</p>
      </Section>

      <Section title={t("scoring")} footer={t("scoringHint")}>
        <div className="weights">
          <span className="weights-head">{t("eventType")}</span>
          <span className="weights-head">{t("points")}</span>
          <span />
          {weights.map(([event, points], i) => (
            <Fragment
              // biome-ignore lint/suspicious/noArrayIndexKey: rows are edited in place
              key={i}
            >
              <input
                value={event}
                aria-label={t("eventType")}
                onChange={(e) =>
                  setWeights(weights.map((w, j) => (j === i ? [e.target.value, w[1]] : w)))
                }
              />
              <NumberInput
                value={points}
                aria-label={t("points")}
                onChange={(v) => setWeights(weights.map((w, j) => (j === i ? [w[0], v ?? 0] : w)))}
              />
              <button
                type="button"
                className="icon-button danger"
                aria-label={t("remove")}
                onClick={() => setWeights(weights.filter((_, j) => j !== i))}
              >
                <Icon name="remove" />
              </button>
            </Fragment>
          ))}
          <Button small onClick={() => setWeights([...weights, ["", 10]])}>
            {t("addWeight")}
          </Button>
        </div>
        <div className="field-error" data-path="leads.weights">
          {problems
            .filter((p) => p.path.startsWith("leads.weights"))
            .map((p) => p.message)
            .join("; ")}
        </div>
        <div className="row-3">
          <Field label={t("threshold")} path="leads.threshold">
            {(id) => (
              <NumberInput
                id={id}
                min={1}
                value={leads.threshold}
                onChange={(v) => setLeads({ ...leads, threshold: v ?? 0 })}
              />
            )}
          </Field>
          <Field label={t("windowDays")} path="leads.windowDays">
            {(id) => (
              <NumberInput
                id={id}
                min={1}
                value={leads.windowDays}
                onChange={(v) => setLeads({ ...leads, windowDays: v ?? 0 })}
              />
            )}
          </Field>
          <Field label={t("alertWindow")} path="leads.alertWindowHours">
            {(id) => (
              <NumberInput
                id={id}
                min={1}
                value={leads.alertWindowHours}
                onChange={(v) => setLeads({ ...leads, alertWindowHours: v ?? 0 })}
              />
            )}
          </Field>
        </div>
        <Switch
          label={t("pauseChains")}
          checked={leads.pauseChains}
          onChange={(pauseChains) => setLeads({ ...leads, pauseChains })}
        />
        <div className="row-3">
          {leads.pauseChains ? (
            <Field label={t("pauseHours")} path="leads.pauseHours">
              {(id) => (
                <NumberInput
                  id={id}
                  min={1}
                  value={leads.pauseHours}
                  onChange={(v) => setLeads({ ...leads, pauseHours: v ?? 0 })}
                />
              )}
            </Field>
          ) : null}
          <Field label={t("managerChat")} path="leads.managerChatId" hint={t("managerChatHint")}>
            {(id) => (
              <NumberInput
                id={id}
                value={leads.managerChatId ?? undefined}
                onChange={(v) => setLeads({ ...leads, managerChatId: v ?? null })}
              />
            )}
          </Field>
          <Field label={t("cardLanguage")} path="leads.language">
            {(id) => (
              <Select
                id={id}
                value={leads.language}
                options={[
                  ["en", "English"],
                  ["ru", "Русский"],
                ]}
                onChange={(language) => setLeads({ ...leads, language })}
              />
            )}
          </Field>
        </div>
      </Section>
    </ProblemsProvider>
  );
}

/** Who may open the app: owners (from OWNER_IDS) and managers, whom owners add and remove here. */
function Managers() {
  const { run } = useAction();
  const { canEdit } = useSession();
  const admins = useLoad(api.admins, "admins");
  const [id, setId] = useState<number>();
  const [name, setName] = useState("");
  const add = async () => {
    if (!id) return;
    await run(
      async () => {
        const admin = await api.addManager(id, name.trim() || undefined);
        admins.setData([
          ...(admins.data ?? []).filter((a) => a.telegramId !== admin.telegramId),
          admin,
        ]);
        setId(undefined);
        setName("");
      },
      { failed: problemText },
    );
  };
  const remove = async (admin: Admin) => {
    if (
      !(await confirmAction(
        t("removeManagerConfirm", { name: admin.name ?? String(admin.telegramId) }),
        t("remove"),
        true,
      ))
    )
      return;
    await run(async () => {
      await api.removeManager(admin.telegramId);
      admins.setData((admins.data ?? []).filter((a) => a.telegramId !== admin.telegramId));
    });
  };
  return (
    <Section title={t("managers")} footer={t("managersHint")}>
      {admins.error ? <ErrorNote error={admins.error} onRetry={admins.reload} /> : null}
      {admins.data?.map((a) => (
        <Cell
          key={a.telegramId}
          title={a.name ?? String(a.telegramId)}
          subtitle={`${a.role === "owner" ? t("roleOwner") : t("roleManager")} · ${a.telegramId}`}
          after={
            canEdit && a.role === "manager" ? (
              <Button small kind="danger" onClick={() => void remove(a)}>
                {t("remove")}
              </Button>
            ) : undefined
          }
        />
      ))}
      {canEdit ? (
        <div className="inline-form">
          <Field label={t("telegramId")}>
            {(fid) => <NumberInput id={fid} value={id} onChange={setId} />}
          </Field>
          <Field label={t("name")}>
            {(fid) => <Input id={fid} value={name} onChange={setName} />}
          </Field>
          <Button disabled={!id} onClick={() => void add()}>
            {t("addManager")}
          </Button>
        </div>
      ) : null}
    </Section>
  );
}
