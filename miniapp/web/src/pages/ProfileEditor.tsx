// Correcting a person's record by hand: their time zone (which every wait, quiet hour and daily cap
// uses) and the owner's fields, such as a birthday for a date trigger.
import { useState } from "react";
import { api } from "../api.ts";
import { t } from "../i18n/translate.ts";
import { Button, Field, Input } from "../ui/controls.tsx";
import { problemText } from "../ui/errors.tsx";
import { Section } from "../ui/layout.tsx";
import { useAction } from "../useAction.ts";

export interface EditableProfile {
  timezone: string | null;
  fields: Record<string, string>;
}

export function ProfileEditor(props: {
  id: number;
  profile: EditableProfile;
  onSaved: (saved: EditableProfile) => void;
}) {
  const { run } = useAction();
  const [timezone, setTimezone] = useState(props.profile.timezone ?? "");
  const [fieldName, setFieldName] = useState("");
  const [fieldValue, setFieldValue] = useState("");
  const save = (edit: Parameters<typeof api.editProfile>[1], after?: () => void) =>
    run(
      async () => {
        props.onSaved(await api.editProfile(props.id, edit));
        after?.();
      },
      { done: t("saved"), failed: problemText },
    );

  return (
    <Section title={t("editProfile")}>
      <div className="inline-form">
        <Field label={t("timezone")} hint={t("timezoneHint")} path="timezone">
          {(fid) => (
            <Input
              id={fid}
              value={timezone}
              placeholder="Europe/Moscow"
              data-testid="profile-timezone"
              onChange={setTimezone}
            />
          )}
        </Field>
        <Button
          testId="profile-timezone-save"
          onClick={() => void save({ timezone: timezone.trim() || null })}
        >
          {t("save")}
        </Button>
      </div>
      {Object.entries(props.profile.fields).map(([name, value]) => (
        <div className="inline-form" key={name}>
          <span>
            {name}: <b>{value}</b>
          </span>
          <Button
            kind="plain"
            testId={`field-remove-${name}`}
            onClick={() => void save({ fields: { [name]: null } })}
          >
            {t("remove")}
          </Button>
        </div>
      ))}
      <div className="inline-form">
        <Field label={t("fieldName")} path={`fields.${fieldName}`}>
          {(fid) => (
            <Input
              id={fid}
              value={fieldName}
              placeholder="birthday"
              data-testid="field-name"
              onChange={setFieldName}
            />
          )}
        </Field>
        <Field label={t("fieldValue")}>
          {(fid) => (
            <Input
              id={fid}
              value={fieldValue}
              placeholder="1990-05-17"
              data-testid="field-value"
              onChange={setFieldValue}
            />
          )}
        </Field>
        <Button
          testId="field-add"
          disabled={!fieldName.trim()}
          onClick={() =>
            void save({ fields: { [fieldName.trim()]: fieldValue } }, () => {
              setFieldName("");
              setFieldValue("");
            })
          }
        >
          {t("add")}
        </Button>
      </div>
    </Section>
  );
}
